import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { Table, VisuallyHidden } from '@mantine/core';
import type { Schemas } from '../../lib/api';

export default function CensusChart({ report }: { report: Schemas['CensusReport'] }) {
  const data = report.programs.map((p) => ({
    program: p.program_name,
    Active: p.active,
    'On hold': p.on_hold,
    Free: Math.max(p.capacity - p.capacity_used, 0),
  }));
  return (
    <figure style={{ margin: 0 }} aria-label="Census by program">
      <BarChart
        h={200}
        data={data}
        dataKey="program"
        orientation="vertical"
        type="stacked"
        yAxisProps={{ width: 170 }}
        withLegend
        series={[
          { name: 'Active', color: 'teal.9' },
          { name: 'On hold', color: 'orange.8' },
          { name: 'Free', color: 'gray.3' },
        ]}
      />
      <VisuallyHidden>
        <Table>
          <caption>Census by program</caption>
          <thead>
            <tr>
              <th>Program</th>
              <th>Active</th>
              <th>On hold</th>
              <th>Capacity</th>
            </tr>
          </thead>
          <tbody>
            {report.programs.map((p) => (
              <tr key={p.program_id}>
                <td>{p.program_name}</td>
                <td>{p.active}</td>
                <td>{p.on_hold}</td>
                <td>{p.capacity}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </VisuallyHidden>
    </figure>
  );
}
