import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LoadBar } from '../api/fleet';

const HEALTH_COLOUR: Record<string, string> = { healthy: '#2f855a', unhealthy: '#c53030', unknown: '#718096' };

/** `group · name` when the node's group is known. */
const titleOf = (bar: LoadBar) => (bar.group ? `${bar.group} · ${bar.name}` : bar.name);

/**
 * Each node's load as a share of its capacity (a 1000-seat node and a 20-seat one on one scale), the nodes of a group
 * side by side; the bar's colour repeats the health shown in the node's label; seats in the tooltip and caption.
 */
export function LoadChart({ bars }: { bars: LoadBar[] }) {
  const data = bars.map((bar) => ({ ...bar, label: `${titleOf(bar)} (${bar.health})` }));
  return (
    <figure className="chart" aria-label="Load per node">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis domain={[0, 100]} unit="%" allowDecimals={false} />
          <Tooltip formatter={(value, name, item) => seatsOf(item.payload as LoadBar, String(name), Number(value))} />
          <Legend />
          <Bar
            dataKey="loadPercent"
            name="load"
            stackId="load"
            fill={HEALTH_COLOUR['healthy']}
            isAnimationActive={false}
          >
            {data.map((bar) => (
              <Cell key={bar.name} fill={HEALTH_COLOUR[bar.health] ?? HEALTH_COLOUR['unknown']} />
            ))}
          </Bar>
          <Bar
            dataKey="freePercent"
            name="free"
            stackId="load"
            fill="var(--mantine-color-default-border)"
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        {bars
          .map(
            (bar) => `${titleOf(bar)}: ${bar.users} users, ${bar.free} free (${bar.health}), ${bar.loadPercent} % load`,
          )
          .join('; ')}
      </figcaption>
    </figure>
  );
}

/** The tooltip's line: the share, and the seats behind it. */
function seatsOf(bar: LoadBar, name: string, percent: number): [string, string] {
  return name === 'load'
    ? [`${percent} % (${bar.users} of ${bar.users + bar.free} users)`, 'load']
    : [`${percent} % (${bar.free} seats)`, 'free'];
}
