import { Anchor, Title } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from './states';

export default function NotFoundPage() {
  return (
    <>
      <Title order={1}>Page not found</Title>
      <EmptyState
        title="There is nothing at this address"
        detail="It may have moved, or the link is incomplete."
        action={<Anchor component={Link} to="/">Go to Today</Anchor>}
      />
    </>
  );
}
