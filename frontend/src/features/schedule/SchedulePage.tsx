import { Title } from '@mantine/core';
import { EmptyState } from '../../components/states';

export default function SchedulePage() {
  return (
    <>
      <Title order={1}>SchedulePage</Title>
      <EmptyState title="Coming next" />
    </>
  );
}
