import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const PALETTE = ['#3182ce', '#d69e2e', '#805ad5', '#38a169', '#dd6b20', '#319795', '#e53e3e', '#718096'];

/** Response time per node over the recent checks; a failed check leaves a gap. */
export function ResponseChart({ series, names }: { series: Array<Record<string, number | null>>; names: string[] }) {
  return (
    <figure className="chart" aria-label="Response time per node">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={series}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="time"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(time: number) => new Date(time).toLocaleTimeString()}
          />
          <YAxis unit=" ms" />
          <Tooltip labelFormatter={(time) => new Date(Number(time)).toLocaleTimeString()} />
          <Legend />
          {names.map((name, i) => (
            <Line
              key={name}
              dataKey={name}
              stroke={PALETTE[i % PALETTE.length]}
              strokeDasharray={i % 2 ? '4 2' : undefined}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
