import { LineChart } from '@mantine/charts';
import { seriesColour } from '../../../components/chart-colours';

const clock = (time: unknown) => new Date(Number(time)).toLocaleTimeString();

/** Response time per node over the recent checks; a failed check leaves a gap. */
export function ResponseChart({ series, names }: { series: Array<Record<string, number | null>>; names: string[] }) {
  return (
    <figure className="chart" aria-label="Response time per node">
      <LineChart
        h={220}
        data={series}
        dataKey="time"
        series={names.map((name, i) => ({
          name,
          color: seriesColour(i),
          strokeDasharray: i % 2 ? '4 2' : undefined,
        }))}
        xAxisProps={{ type: 'number', domain: ['dataMin', 'dataMax'], tickFormatter: clock }}
        tooltipProps={{ labelFormatter: clock }}
        unit=" ms"
        withDots={false}
        withLegend
        connectNulls={false}
        curveType="linear"
        tooltipAnimationDuration={0}
      />
    </figure>
  );
}
