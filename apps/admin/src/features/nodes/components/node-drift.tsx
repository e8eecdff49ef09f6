import type { DriftCorrections, DriftView } from '@fleet/contract';
import { Button, Table, Text } from '@mantine/core';
import { previewReconcile, reconcileNode, useDrift, useNodeAction } from '../../../lib/queries/nodes';

/**
 * The last reconcile: what still differs from the database, what it found and corrected, a sample; a dry run first
 * (what a reconcile would change), then the repair.
 */
export function NodeDrift({ id }: { id: number }) {
  const drift = useDrift(id).data;
  const preview = useNodeAction(previewReconcile);
  const reconcile = useNodeAction(reconcileNode);
  if (!drift) return null;
  const wouldChange = preview.data ? clientCounts(preview.data.found) : '';
  return (
    <>
      <h2>Drift</h2>
      <Text mb="sm">
        {driftSummary(drift)} {inboundText(drift)}{' '}
        <Button size="compact-sm" variant="default" onClick={() => preview.mutate(id)} loading={preview.isPending}>
          Reconcile now…
        </Button>
      </Text>
      {preview.data && !reconcile.isSuccess && (
        <Text role="status" mb="sm">
          {wouldChange || preview.data.inbound.length
            ? `A reconcile would repair ${[wouldChange, inboundText(preview.data)].filter(Boolean).join('; ')}. `
            : 'Nothing to repair: the panel matches the database. '}
          {(wouldChange || preview.data.inbound.length > 0) && (
            <Button
              size="compact-sm"
              onClick={() => reconcile.mutate(id, { onSuccess: () => preview.reset() })}
              loading={reconcile.isPending}
            >
              Repair
            </Button>
          )}
        </Text>
      )}
      {drift.sample.length > 0 && <DriftSample sample={drift.sample} />}
    </>
  );
}

/** A few of the differences the last reconcile found, field by field. */
function DriftSample({ sample }: { sample: DriftView['sample'] }) {
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table aria-label="Drift sample">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Client</Table.Th>
            <Table.Th>Field</Table.Th>
            <Table.Th>On the panel</Table.Th>
            <Table.Th>Wanted</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sample.map((item, i) => (
            <Table.Tr key={i}>
              <Table.Td>{item.kind}</Table.Td>
              <Table.Td>{item.kind === 'inbound' ? '(the inbound)' : item.email}</Table.Td>
              <Table.Td>{item.field ?? ''}</Table.Td>
              <Table.Td>{item.panel === undefined ? '' : String(item.panel)}</Table.Td>
              <Table.Td>{item.desired === undefined ? '' : String(item.desired)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The last reconcile in a sentence: what it found, what it corrected, what remains. */
export function driftSummary(drift: DriftView): string {
  if (!drift.checkedAt) return 'Not reconciled yet.';
  const when = new Date(drift.checkedAt).toLocaleString();
  const found = clientCounts(drift.found) || 'nothing';
  const corrected = drift.dryRun ? '' : `, corrected ${clientCounts(drift.corrected) || 'nothing'}`;
  const remaining = clientCounts(drift);
  return (
    `${drift.dryRun ? 'Dry run' : 'Last reconcile'} ${when}: found ${found}${corrected}; ` +
    `${remaining ? `${remaining} still differ` : 'nothing differs now'}. ` +
    `${drift.foreign} of the operator's own clients left alone.`
  );
}

function clientCounts(counts: DriftCorrections): string {
  return (['missing', 'changed', 'extra'] as const)
    .filter((kind) => counts[kind])
    .map((kind) => `${counts[kind]} ${kind}`)
    .join(', ');
}

const UNFIT: Record<string, string> = {
  missing: 'The inbound is not on the panel: the node does not serve.',
  enable: 'The inbound is disabled on the panel: the node does not serve.',
  protocol: "The inbound's protocol is not one we serve: the node does not serve.",
};

/** What the last reconcile found on the inbound itself. */
function inboundText(drift: DriftView): string {
  const unfit = drift.inbound.find((field) => UNFIT[field]);
  if (unfit) return UNFIT[unfit];
  if (drift.corrected.inbound.length)
    return `The inbound changed on the panel (${drift.corrected.inbound.join(', ')}): links follow it.`;
  if (drift.inbound.length)
    return `The inbound changed on the panel (${drift.inbound.join(', ')}): links follow it once reconciled.`;
  return '';
}
