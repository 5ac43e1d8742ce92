import { Badge, Group, Stack, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { EmptyState, QueryView } from '../../components/states';
import { api, ok } from '../../lib/api';
import { formatDate, humanizeEnum } from '../../lib/format';
import { useDeferredQuery } from '../../lib/useDeferredQuery';

export function TimelineTab({ enrollmentId }: { enrollmentId: string }) {
  const result = useQuery({
    queryKey: ['timeline', enrollmentId],
    queryFn: () =>
      ok(api.GET('/api/v1/enrollments/{enrollment_id}/timeline', { params: { path: { enrollment_id: enrollmentId } } })),
  });
  // Up to a hundred entries: drawn in slices (see useDeferredQuery).
  const timeline = useDeferredQuery(result);
  return (
    <QueryView query={timeline}>
      {(items) =>
        items.length === 0 ? (
          <EmptyState title="Nothing has happened yet" detail="Admission, phase changes, events and decisions appear here." />
        ) : (
          <Timeline bulletSize={14} lineWidth={2} color="teal">
            {[...items].reverse().slice(0, 100).map((item) => (
              <Timeline.Item key={`${item.kind}-${item.resource_id}-${item.at}`}>
                <Stack gap={2}>
                  <Group gap="xs">
                    <Text fw={600}>{item.summary}</Text>
                    <Badge size="sm" variant="light" color="gray">
                      {humanizeEnum(item.kind)}
                    </Badge>
                  </Group>
                  <Text size="sm" c="dimmed">
                    {formatDate(item.at)}
                  </Text>
                </Stack>
              </Timeline.Item>
            ))}
          </Timeline>
        )
      }
    </QueryView>
  );
}
