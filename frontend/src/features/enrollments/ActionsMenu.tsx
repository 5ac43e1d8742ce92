import { Alert, Button, Group, Menu, Modal, NumberInput, Select, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError, fieldErrors } from '../../lib/problem';
import { addDays, dateIn, formatDate, humanizeEnum } from '../../lib/format';
import { ENROLLMENT_DEPENDENTS } from './queries';

type Enrollment = Schemas['EnrollmentRead'];
type ActionName = 'change-phase' | 'extend' | 'hold' | 'resume' | 'complete' | 'discharge';

const LABELS: Record<ActionName, string> = {
  'change-phase': 'Change phase…',
  extend: 'Extend the stay…',
  hold: 'Put on hold…',
  resume: 'Resume…',
  complete: 'Complete…',
  discharge: 'Discharge…',
};

function available(status: Enrollment['status']): ActionName[] {
  if (status === 'active') return ['change-phase', 'extend', 'hold', 'complete', 'discharge'];
  if (status === 'on_hold') return ['resume', 'discharge'];
  if (status === 'pending') return ['discharge'];
  return [];
}

const EXTENSION_REASONS: Schemas['ExtensionReason'][] = ['relapse', 'needs_more_support', 'medical', 'mental_health', 'other'];
const DISCHARGE_REASONS: Schemas['DischargeReason'][] = ['completed', 'against_medical_advice', 'administrative', 'transferred_to_higher_level', 'other'];

export function ActionsMenu({
  enrollment,
  etag,
  phases,
  timezone,
}: {
  enrollment: Enrollment;
  etag: string | null;
  phases: Schemas['PhaseRead'][];
  timezone: string;
}) {
  const [action, setAction] = useState<ActionName | null>(null);
  const actions = available(enrollment.status);
  if (actions.length === 0) return null;
  return (
    <>
      <Menu position="bottom-start">
        <Menu.Target>
          <Button variant="default">Actions</Button>
        </Menu.Target>
        <Menu.Dropdown>
          {actions.map((name) => (
            <Menu.Item key={name} onClick={() => setAction(name)} color={name === 'discharge' ? 'red.9' : undefined}>
              {LABELS[name]}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {action ? (
        <ActionDialog
          action={action}
          enrollment={enrollment}
          etag={etag}
          phases={phases}
          timezone={timezone}
          onClose={() => setAction(null)}
        />
      ) : null}
    </>
  );
}

function ActionDialog({
  action,
  enrollment,
  etag,
  phases,
  timezone,
  onClose,
}: {
  action: ActionName;
  enrollment: Enrollment;
  etag: string | null;
  phases: Schemas['PhaseRead'][];
  timezone: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [phaseId, setPhaseId] = useState<string | null>(null);
  const [days, setDays] = useState<number>(14);
  const [extension, setExtension] = useState<Schemas['ExtensionReason']>('needs_more_support');
  const [discharge, setDischarge] = useState<Schemas['DischargeReason']>('administrative');
  const tomorrow = addDays(dateIn(timezone), 1);
  const params = { path: { enrollment_id: enrollment.id }, header: { 'if-match': etag ?? undefined } };

  const run = useMutation({
    mutationFn: () => {
      switch (action) {
        case 'change-phase':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/change-phase', { params, body: { phase_id: phaseId ?? '', reason } }));
        case 'extend':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/extend', { params, body: { days, reason: extension, note: reason } }));
        case 'hold':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/hold', { params, body: { note: reason } }));
        case 'resume':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/resume', { params, body: { note: reason } }));
        case 'complete':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/complete', { params, body: { note: reason } }));
        case 'discharge':
          return ok(api.POST('/api/v1/enrollments/{enrollment_id}/discharge', { params, body: { reason: discharge, note: reason } }));
      }
    },
    onSuccess: async () => {
      await Promise.all(ENROLLMENT_DEPENDENTS(enrollment.id).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      notifications.show({ color: 'teal', title: 'Done', message: `${LABELS[action].replace('…', '')}: saved.` });
      onClose();
    },
    onError: async (error) => {
      // Someone else changed the enrollment meanwhile: show its current state.
      if (describeError(error).title && (error as { status?: number }).status === 412) {
        await queryClient.invalidateQueries({ queryKey: ['enrollment', enrollment.id] });
      }
    },
  });
  const fields = fieldErrors(run.error, ['reason', 'note', 'phase_id', 'days']);
  const problem = run.error ? describeError(run.error) : null;
  const phase = phases.find((p) => p.id === phaseId);
  const newEnd = enrollment.expected_end_on ? addDays(enrollment.expected_end_on, days) : null;
  const effect: Record<ActionName, string> = {
    'change-phase': phase
      ? `Future sessions from ${formatDate(tomorrow, 'UTC')} will follow ${phase.name} (${phase.planned_hours_per_week} hours a week). Past sessions and their attendance do not change.`
      : 'Choose the phase. Future sessions will follow it; past sessions do not change.',
    extend: newEnd ? `The expected end moves from ${formatDate(enrollment.expected_end_on ?? '', 'UTC')} to ${formatDate(newEnd, 'UTC')}.` : 'The expected end moves later.',
    hold: 'The client stays enrolled but is on hold until resumed.',
    resume: 'The client returns to the current phase and its sessions.',
    complete: 'The client completes the program; the enrollment is closed.',
    discharge: 'The enrollment is closed with the discharge reason; the client leaves future rosters.',
  };
  const canSubmit = reason.trim().length > 0 && (action !== 'change-phase' || phaseId !== null);
  return (
    <Modal opened onClose={onClose} title={LABELS[action].replace('…', '')}>
      <Stack>
        <Alert color="blue" variant="light">
          {effect[action]}
        </Alert>
        {problem && !Object.keys(fields).some((k) => k !== '') ? (
          <Alert color="red" title={problem.title}>
            {(run.error as { status?: number }).status === 412
              ? 'Someone else changed this enrollment; it has been reloaded. Check it and try again.'
              : problem.detail}
          </Alert>
        ) : null}
        {action === 'change-phase' ? (
          <Select
            label="New phase"
            data={phases.filter((p) => p.id !== enrollment.current_phase_id).map((p) => ({ value: p.id, label: `${p.name} · ${p.planned_hours_per_week} h a week` }))}
            value={phaseId}
            onChange={setPhaseId}
            error={fields.phase_id}
            comboboxProps={{ withinPortal: true }}
          />
        ) : null}
        {action === 'extend' ? (
          <>
            <NumberInput label="Days" min={1} max={90} value={days} onChange={(v) => setDays(typeof v === 'number' ? v : 14)} error={fields.days} />
            <Select
              label="Why"
              data={EXTENSION_REASONS.map((r) => ({ value: r, label: humanizeEnum(r) }))}
              value={extension}
              onChange={(v) => v && setExtension(v as Schemas['ExtensionReason'])}
              comboboxProps={{ withinPortal: true }}
            />
          </>
        ) : null}
        {action === 'discharge' ? (
          <Select
            label="Discharge reason"
            data={DISCHARGE_REASONS.map((r) => ({ value: r, label: humanizeEnum(r) }))}
            value={discharge}
            onChange={(v) => v && setDischarge(v as Schemas['DischargeReason'])}
            comboboxProps={{ withinPortal: true }}
          />
        ) : null}
        <Textarea
          label={action === 'change-phase' ? 'Reason' : 'Reason or note'}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={fields.reason ?? fields.note ?? fields['']}
          autosize
          minRows={2}
        />
        <Text size="xs" c="dimmed">
          Recorded in the enrollment's timeline and the audit trail.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!canSubmit} color={action === 'discharge' ? 'red.9' : undefined}>
            Confirm
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
