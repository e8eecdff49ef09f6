import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LoadBar } from '../api/fleet';

const HEALTH_COLOUR: Record<string, string> = { healthy: '#2f855a', unhealthy: '#c53030', unknown: '#718096' };

/** `group · name` when the node's group is known. */
const titleOf = (bar: LoadBar) => (bar.group ? `${bar.group} · ${bar.name}` : bar.name);

/**
 * Users per node against capacity, the nodes of a group side by side; the bar's colour repeats the health shown in
 * the node's label.
 */
export function LoadChart({ bars }: { bars: LoadBar[] }) {
  const data = bars.map((bar) => ({ ...bar, label: `${titleOf(bar)} (${bar.health})` }));
  return (
    <figure className="chart" aria-label="Load per node">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="users" name="users" stackId="load" fill={HEALTH_COLOUR['healthy']} isAnimationActive={false}>
            {data.map((bar) => (
              <Cell key={bar.name} fill={HEALTH_COLOUR[bar.health] ?? HEALTH_COLOUR['unknown']} />
            ))}
          </Bar>
          <Bar dataKey="free" name="free seats" stackId="load" fill="#e2e8f0" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        {bars.map((bar) => `${titleOf(bar)}: ${bar.users} users, ${bar.free} free (${bar.health})`).join('; ')}
      </figcaption>
    </figure>
  );
}
