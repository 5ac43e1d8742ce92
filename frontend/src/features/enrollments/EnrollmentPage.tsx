import { Title } from '@mantine/core';
import { EmptyState } from '../../components/states';

export default function EnrollmentPage() {
  return (
    <>
      <Title order={1}>EnrollmentPage</Title>
      <EmptyState title="Coming next" />
    </>
  );
}
