import { BarChart } from '@mantine/charts';
import type { UsageBucketView } from '@fleet/contract';
import { formatBytes, toUsageRows } from '../lib/queries/usage';
import { seriesColour } from './chart-colours';

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
    <BarChart
      h={240}
      data={rows}
      dataKey="start"
      type="stacked"
      series={series.map((name, i) => ({ name, color: seriesColour(i) }))}
      valueFormatter={formatBytes}
      xAxisProps={{ tickFormatter: label }}
      yAxisProps={{ width: 80 }}
      tooltipProps={{ labelFormatter: label }}
      withLegend
      tooltipAnimationDuration={0}
    />
  );
}
