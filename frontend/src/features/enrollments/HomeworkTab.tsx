import { Alert, Badge, Button, Group, Modal, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, QueryView } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';
import { formatDate, humanizeEnum } from '../../lib/format';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';

const STATUS_COLOR: Record<Schemas['HomeworkReadStatus'], string> = {
  assigned: 'gray',
  submitted: 'blue',
  reviewed: 'teal',
  missed: 'red',
};

export function HomeworkTab({ enrollmentId, timezone }: { enrollmentId: string; timezone: string }) {
  const user = useUser();
  const homework = useQuery({
    queryKey: ['homework', 'enrollment', enrollmentId],
    queryFn: () => ok(api.GET('/api/v1/homework', { params: { query: { enrollment_id: enrollmentId, limit: 100 } } })),
  });
  const [reviewing, setReviewing] = useState<Schemas['HomeworkRead'] | null>(null);
  return (
    <QueryView query={homework}>
      {(page) =>
        page.items.length === 0 ? (
          <EmptyState title="No homework yet" detail="Homework assigned in a session or here appears in this list." />
        ) : (
          <Stack gap="xs">
            {page.items.map((item) => (
              <Paper withBorder p="sm" key={item.id}>
                <Group justify="space-between" wrap="wrap">
                  <div>
                    <Text fw={600}>{item.title}</Text>
                    <Text size="sm" c="dimmed">
                      {humanizeEnum(item.category)} · due {formatDate(item.due_at, timezone)}
                      {item.submitted_late ? ' · submitted late' : ''}
                    </Text>
                  </div>
                  <Group gap="xs">
                    <Badge color={STATUS_COLOR[item.status]} variant="light">
                      {humanizeEnum(item.status)}
                      {item.review_outcome ? ` · ${humanizeEnum(item.review_outcome)}` : ''}
                    </Badge>
                    {item.status === 'submitted' && can(user.role, 'homework.review') ? (
                      <Button size="xs" onClick={() => setReviewing(item)}>
                        Review
                      </Button>
                    ) : null}
                  </Group>
                </Group>
                {item.response ? (
                  <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap' }}>
                    {item.response}
                  </Text>
                ) : null}
                {item.feedback ? (
                  <Text size="sm" mt="xs" c="dimmed">
                    Feedback: {item.feedback}
                  </Text>
                ) : null}
              </Paper>
            ))}
            {reviewing ? <ReviewDialog homework={reviewing} onClose={() => setReviewing(null)} /> : null}
          </Stack>
        )
      }
    </QueryView>
  );
}

function ReviewDialog({ homework, onClose }: { homework: Schemas['HomeworkRead']; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [feedback, setFeedback] = useState('');
  const [outcome, setOutcome] = useState<Schemas['ReviewOutcome']>('accepted');
  const review = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/homework/{homework_id}/review', { params: { path: { homework_id: homework.id } }, body: { feedback, outcome } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['homework'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Review: ${homework.title}`}>
      <Stack>
        {homework.response ? (
          <Paper withBorder p="xs">
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {homework.response}
            </Text>
          </Paper>
        ) : null}
        {review.error ? <Alert color="red" title={describeError(review.error).title}>{describeError(review.error).detail}</Alert> : null}
        <SegmentedControl
          aria-label="Outcome"
          value={outcome}
          onChange={(v) => setOutcome(v as Schemas['ReviewOutcome'])}
          data={[
            { value: 'accepted', label: 'Accept' },
            { value: 'needs_revision', label: 'Needs revision' },
          ]}
        />
        <Textarea label="Feedback for the client" value={feedback} onChange={(e) => setFeedback(e.currentTarget.value)} autosize minRows={3} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => review.mutate()} loading={review.isPending}>
            Save review
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
