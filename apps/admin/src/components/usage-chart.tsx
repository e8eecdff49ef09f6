import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageBucketView } from '@fleet/contract';
import { formatBytes, toUsageRows } from '../lib/queries/usage';

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];

/** Traffic per bucket, stacked by node. */
export function UsageChart({
  buckets,
  nodeName,
  granularity,
}: {
  buckets: UsageBucketView[];
  nodeName: (nodeId: number) => string;
  granularity: 'hour' | 'day';
}) {
  if (!buckets.length) return <p className="muted">No traffic in this period.</p>;
  const { rows, series } = toUsageRows(buckets, nodeName);
  const label = (start: unknown) => {
    const date = new Date(String(start));
    return granularity === 'hour' ? date.toLocaleTimeString([], { hour: '2-digit' }) : date.toLocaleDateString();
  };
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="start" tickFormatter={label} />
        <YAxis tickFormatter={(value: number) => formatBytes(value)} width={80} />
        <Tooltip labelFormatter={label} formatter={(value) => formatBytes(Number(value))} />
        <Legend />
        {series.map((name, i) => (
          <Bar key={name} dataKey={name} stackId="traffic" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
