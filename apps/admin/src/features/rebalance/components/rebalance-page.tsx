import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useNodes } from '../../../lib/queries/nodes';
import { useJob } from '../../../lib/queries/jobs';
import { JobProgress } from '../../../components/job-progress';
import { JobsList } from './jobs-list';
import { beforeAfter, MOVES_SHOWN, useRebalanceApply, useRebalancePreview } from '../api/rebalance';

/** Dry-run preview (flows, the first moves and before/after loads), apply, and the job's progress. */
export function RebalancePage() {
  const [maxMoves, setMaxMoves] = useState('');
  const preview = useRebalancePreview();
  // An applied plan is history: it goes, so it cannot be applied twice.
  const apply = useRebalanceApply(() => preview.reset());
  const job = useJob(apply.data?.jobId ?? null).data;
  const nodes = new Map((useNodes().data ?? []).map((node) => [node.id, node]));
  const names = new Map([...nodes].map(([id, node]) => [id, node.name]));
  const limit = maxMoves ? Number(maxMoves) : undefined;
  const plan = preview.data;
  return (
    <section>
      <h1>Rebalance</h1>
      <form className="inline" onSubmit={(event) => (event.preventDefault(), preview.mutate(limit))}>
        <label>
          Most moves (empty: as many as needed){' '}
          <input type="number" min={0} value={maxMoves} onChange={(e) => setMaxMoves(e.target.value)} />
        </label>
        <button type="submit">Preview</button>
        {plan && (
          <button type="button" onClick={() => apply.mutate(limit)} disabled={apply.isPending || !plan.movesTotal}>
            Apply
          </button>
        )}
      </form>
      {(preview.error || apply.error) && <p role="alert">{(preview.error ?? apply.error)!.message}</p>}
      {job && <JobProgress job={job} />}
      {plan && (
        <>
          <p>
            {plan.movesTotal} moves (the minimum is {plan.minimumMoves}).
          </p>
          <figure className="chart" aria-label="Load per node before and after">
            <ResponsiveContainer width="100%" height={240}>
              <BarChart data={beforeAfter(plan, nodes)}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis domain={[0, 100]} unit="%" allowDecimals={false} />
                <Tooltip
                  formatter={(value, name, item) => {
                    const row = item.payload as { usersBefore: number; usersAfter: number };
                    return [`${value} % (${name === 'before' ? row.usersBefore : row.usersAfter} users)`, name];
                  }}
                />
                <Legend />
                <Bar dataKey="before" fill="#a0aec0" />
                <Bar dataKey="after" fill="#3182ce" />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <div className="table-wrap">
            <table>
              <caption>Users moving between nodes</caption>
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Users</th>
                </tr>
              </thead>
              <tbody>
                {plan.flows.map((flow) => (
                  <tr key={`${flow.fromNodeId}-${flow.toNodeId}`}>
                    <td>{names.get(flow.fromNodeId) ?? flow.fromNodeId}</td>
                    <td>{names.get(flow.toNodeId) ?? flow.toNodeId}</td>
                    <td>{flow.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-wrap">
            <table>
              <caption>Planned moves{plan.movesTotal > MOVES_SHOWN ? ` (the first ${MOVES_SHOWN})` : ''}</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                </tr>
              </thead>
              <tbody>
                {plan.moves.map((move) => (
                  <tr key={move.userId}>
                    <td>{move.userId}</td>
                    <td>{names.get(move.fromNodeId) ?? move.fromNodeId}</td>
                    <td>{names.get(move.toNodeId) ?? move.toNodeId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>Jobs</h2>
      <JobsList />
    </section>
  );
}
