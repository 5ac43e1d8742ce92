import { Title } from '@mantine/core';
import { EmptyState } from '../../components/states';

export default function ClientsPage() {
  return (
    <>
      <Title order={1}>ClientsPage</Title>
      <EmptyState title="Coming next" />
    </>
  );
}
