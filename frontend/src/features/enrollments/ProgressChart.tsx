import { Group, Table, Text } from '@mantine/core';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceArea,
  ReferenceDot,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Schemas } from '../../lib/api';
import { useDeferredWidth } from '../../lib/useDeferredWidth';
import { formatHours } from '../../lib/format';
import { toChartData } from './progressData';

const BAND_FILLS = ['#e6f4ef', '#f1f3f5'];

export default function ProgressChart({ progress }: { progress: Schemas['ProgressRead'] }) {
  const { points, bands, markers, yAxis } = toChartData(progress);
  const [box, width] = useDeferredWidth<HTMLDivElement>();
  if (points.length === 0) return <Text>No weeks to show yet: progress starts with the first session.</Text>;
  return (
    <figure style={{ margin: 0 }} aria-labelledby="progress-caption">
      <div ref={box} style={{ width: '100%', height: 280 }} data-testid="progress-chart">
        {/* Room on the right for the last week's bar and date; no animation, so what is
            drawn (and screenshotted) is the data, not a frame on the way to it. */}
        {width > 0 ? (
          <ComposedChart width={width} height={280} data={points} margin={{ top: 18, right: 28, bottom: 0, left: 0 }}>
            {bands.map((band, i) => (
              <ReferenceArea
                key={`${band.phase}-${band.from}`}
                x1={band.from}
                x2={band.to}
                fill={BAND_FILLS[i % 2]}
                fillOpacity={1}
                ifOverflow="extendDomain"
                // Every other label a line lower: two short phases side by side stay readable.
                label={{ value: band.phase, position: 'insideTop', dy: (i % 2) * 14, fill: '#343a40', fontSize: 12 }}
              />
            ))}
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#343a40' }} />
            <YAxis
              domain={[0, yAxis.max]}
              ticks={yAxis.ticks}
              tick={{ fontSize: 12, fill: '#343a40' }}
              label={{ value: 'hours', angle: -90, position: 'insideLeft', fill: '#343a40' }}
            />
            <Tooltip formatter={(value, name) => [typeof value === 'number' ? formatHours(value) : String(value), name]} />
            <Legend />
            <Bar dataKey="attended" name="Hours attended" fill="#087f5b" barSize={22} isAnimationActive={false} />
            {/* Centred steps: each week's value sits over its own bar, the last week's too
                (a step after each point drew nothing for the last week). */}
            <Line type="step" dataKey="planned" name="Planned for the phase" stroke="#1864ab" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
            <Line type="step" dataKey="minimum" name="Level-of-care minimum" stroke="#c92a2a" strokeDasharray="6 4" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
            {markers.map((m) => (
              <ReferenceDot
                key={m.week}
                x={m.label}
                y={m.attended}
                r={7}
                fill={m.relapses > 0 ? '#c92a2a' : '#e8590c'}
                stroke="#fff"
                label={{ value: m.relapses > 0 ? 'R' : '+', fill: '#fff', fontSize: 10 }}
              />
            ))}
          </ComposedChart>
        ) : null}
      </div>
      <figcaption id="progress-caption">
        <Group gap="md">
          <Text size="xs">Markers: R relapse, + positive drug screen. Shaded bands are phases.</Text>
        </Group>
      </figcaption>
      <details>
        <summary>
          <Text span size="sm">
            Show the weeks as a table
          </Text>
        </summary>
        <Table mt="xs" data-testid="progress-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Week of</Table.Th>
              <Table.Th>Phase</Table.Th>
              <Table.Th>Attended</Table.Th>
              <Table.Th>Planned</Table.Th>
              <Table.Th>Minimum</Table.Th>
              <Table.Th>Events</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {points.map((p) => (
              <Table.Tr key={p.week}>
                <Table.Td>{p.label}</Table.Td>
                <Table.Td>{p.phase ?? '–'}</Table.Td>
                <Table.Td>{formatHours(p.attended)}</Table.Td>
                <Table.Td>{p.planned === null ? '–' : formatHours(p.planned)}</Table.Td>
                <Table.Td>{p.minimum === null ? '–' : formatHours(p.minimum)}</Table.Td>
                <Table.Td>
                  {[p.relapses ? `${p.relapses} relapse` : '', p.positiveScreens ? `${p.positiveScreens} positive screen` : ''].filter(Boolean).join(', ') || '–'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </details>
    </figure>
  );
}
