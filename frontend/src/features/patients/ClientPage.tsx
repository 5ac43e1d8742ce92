import { Title } from '@mantine/core';
import { EmptyState } from '../../components/states';

export default function ClientPage() {
  return (
    <>
      <Title order={1}>ClientPage</Title>
      <EmptyState title="Coming next" />
    </>
  );
}
