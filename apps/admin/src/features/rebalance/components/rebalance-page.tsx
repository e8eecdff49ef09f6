import { BarChart } from '@mantine/charts';
import { Alert, Button, Group, NumberInput, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useCan } from '../../../lib/queries/me';
import { useNodes } from '../../../lib/queries/nodes';
import { useJob } from '../../../lib/queries/jobs';
import { JobProgress } from '../../../components/job-progress';
import { JobsList } from './jobs-list';
import { beforeAfter, MOVES_SHOWN, useRebalanceApply, useRebalancePreview } from '../api/rebalance';

/** Dry-run preview (flows, the first moves and before/after loads), apply, and the job's progress. */
export function RebalancePage() {
  const [maxMoves, setMaxMoves] = useState<string | number>('');
  const preview = useRebalancePreview();
  // An applied plan is history: it goes, so it cannot be applied twice.
  const apply = useRebalanceApply(() => preview.reset());
  const job = useJob(apply.data?.jobId ?? null).data;
  const nodes = new Map((useNodes().data ?? []).map((node) => [node.id, node]));
  const nameOf = (id: number) => nodes.get(id)?.name ?? String(id);
  const limit = maxMoves === '' ? undefined : Number(maxMoves);
  const plan = preview.data;
  const failure = preview.error ?? apply.error;
  const canRebalance = useCan('nodes:write');
  return (
    <section>
      <h1>Rebalance</h1>
      {!canRebalance && (
        <Text c="dimmed" mb="md">
          Your role may follow the jobs here; previewing and applying a rebalance is for operators.
        </Text>
      )}
      <Group
        component="form"
        align="end"
        mb="md"
        display={canRebalance ? undefined : 'none'}
        onSubmit={(event) => (event.preventDefault(), preview.mutate(limit))}
      >
        <NumberInput
          label="Most moves"
          description="Empty: as many as needed"
          min={0}
          allowDecimal={false}
          value={maxMoves}
          onChange={setMaxMoves}
          w={220}
        />
        <Button type="submit" variant="default" loading={preview.isPending}>
          Preview
        </Button>
        {plan && (
          <Button onClick={() => apply.mutate(limit)} disabled={!plan.movesTotal} loading={apply.isPending}>
            Apply
          </Button>
        )}
      </Group>
      {failure && (
        <Alert color="red" role="alert" mb="sm">
          {failure.message}
        </Alert>
      )}
      {job && <JobProgress job={job} />}
      {plan && (
        <>
          <Text>
            {plan.movesTotal} moves (the minimum is {plan.minimumMoves}).
          </Text>
          <figure className="chart" aria-label="Load per node before and after">
            <BarChart
              h={240}
              data={beforeAfter(plan, nodes).map((row) => ({
                ...row,
                name: `${row.name} (${row.usersBefore}→${row.usersAfter} users)`,
              }))}
              dataKey="name"
              series={[
                { name: 'before', color: 'gray.5' },
                { name: 'after', color: 'blue.6' },
              ]}
              yAxisProps={{ domain: [0, 100] }}
              unit="%"
              withLegend
              tooltipAnimationDuration={0}
            />
          </figure>
          <PlanTable
            caption="Users moving between nodes"
            columns={['From', 'To', 'Users']}
            rows={plan.flows.map((flow) => ({
              key: `${flow.fromNodeId}-${flow.toNodeId}`,
              cells: [nameOf(flow.fromNodeId), nameOf(flow.toNodeId), flow.count],
            }))}
          />
          <PlanTable
            caption={`Planned moves${plan.movesTotal > MOVES_SHOWN ? ` (the first ${MOVES_SHOWN})` : ''}`}
            columns={['User', 'From', 'To']}
            rows={plan.moves.map((move) => ({
              key: String(move.userId),
              cells: [move.userId, nameOf(move.fromNodeId), nameOf(move.toNodeId)],
            }))}
          />
        </>
      )}
      <h2>Jobs</h2>
      <JobsList />
    </section>
  );
}

function PlanTable(props: { caption: string; columns: string[]; rows: Array<{ key: string; cells: ReactNode[] }> }) {
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table captionSide="top" striped>
        <Table.Caption>{props.caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            {props.columns.map((column) => (
              <Table.Th key={column} scope="col">
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.rows.map((row) => (
            <Table.Tr key={row.key}>
              {row.cells.map((cell, i) => (
                <Table.Td key={i}>{cell}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
