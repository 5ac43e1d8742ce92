import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Schemas } from '../../lib/api';
import { json, renderWithProviders, setOnline, stubFetch } from '../../test/render';
import { AttendanceRoster, useRollCall } from './AttendanceRoster';

const roster: Schemas['RosterLine'][] = [
  { enrollment_id: 'e1', patient_id: 'p1', patient_name: 'Ana Alvarez', attendance_status: null, minutes_attended: null },
  { enrollment_id: 'e2', patient_id: 'p2', patient_name: 'Ben Brooks', attendance_status: null, minutes_attended: null },
  { enrollment_id: 'e3', patient_id: 'p3', patient_name: 'Cy Chen', attendance_status: 'present', minutes_attended: 180 },
];

function Room() {
  const { store, snapshot } = useRollCall('s1', roster);
  return <AttendanceRoster roster={roster} durationMinutes={180} store={store} snapshot={snapshot} canRecord />;
}

const row = (name: string) => screen.getByRole('listitem', { name: new RegExp(name) });
const pressed = (name: string, status: string) =>
  within(row(name)).getByRole('button', { name: new RegExp(status) }).getAttribute('aria-pressed');

describe('the attendance roster', () => {
  let network: ReturnType<typeof stubFetch>;
  beforeEach(() => {
    setOnline(true);
    network = stubFetch(() => json([]));
  });
  afterEach(() => network.restore());

  it('marks everyone not yet recorded present in one save, and shows it at once', async () => {
    renderWithProviders(<Room />);
    fireEvent.click(screen.getByRole('button', { name: 'Mark everyone present' }));
    expect(pressed('Ana A.', 'Present')).toBe('true');
    expect(pressed('Ben B.', 'Present')).toBe('true');
    await waitFor(() => expect(screen.getByTestId('save-status')).toHaveTextContent('Saved'));
    const puts = network.calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.url).toMatch(/\/api\/v1\/sessions\/s1\/attendance$/);
    expect(puts[0]?.body).toEqual([
      { enrollment_id: 'e1', status: 'present', minutes_attended: null },
      { enrollment_id: 'e2', status: 'present', minutes_attended: null },
    ]);
  });

  it('asks for minutes only for late and left early, with a first guess', async () => {
    renderWithProviders(<Room />);
    fireEvent.click(within(row('Ana A.')).getByRole('button', { name: 'Late' }));
    expect(within(row('Ana A.')).getByLabelText('Minutes attended')).toHaveValue('165');
    expect(within(row('Ben B.')).queryByLabelText('Minutes attended')).toBeNull();
    await waitFor(() => expect(network.calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(network.calls.find((c) => c.method === 'PUT')?.body).toEqual([
      { enrollment_id: 'e1', status: 'late', minutes_attended: 165 },
    ]);
  });

  it('keeps taps made offline, counts them, and sends them all when the network returns', async () => {
    renderWithProviders(<Room />);
    act(() => setOnline(false));
    fireEvent.click(within(row('Ana A.')).getByRole('button', { name: 'Unexcused' }));
    fireEvent.click(within(row('Ben B.')).getByRole('button', { name: 'Present' }));
    fireEvent.click(within(row('Cy C.')).getByRole('button', { name: 'Excused' }));
    await waitFor(() =>
      expect(screen.getByTestId('save-status')).toHaveTextContent('3 changes waiting to send'),
    );
    expect(network.calls).toHaveLength(0);
    expect(JSON.parse(localStorage.getItem('homeward.attendance.s1') ?? '{}')).toHaveProperty('e1');
    act(() => setOnline(true));
    await waitFor(() => expect(screen.getByTestId('save-status')).toHaveTextContent('Saved'));
    expect(network.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
    expect(network.calls[0]?.body).toHaveLength(3);
    expect(localStorage.getItem('homeward.attendance.s1')).toBeNull();
  });

  it('puts taps back to wait when a send fails for the network, and keeps a newer tap', async () => {
    network.restore();
    let fail = true;
    network = stubFetch(() => {
      if (fail) throw new TypeError('Failed to fetch');
      return json([]);
    });
    renderWithProviders(<Room />);
    fireEvent.click(within(row('Ana A.')).getByRole('button', { name: 'Present' }));
    await waitFor(() => expect(screen.getByTestId('save-status')).toHaveTextContent('1 change waiting'));
    fail = false;
    act(() => setOnline(true));
    await waitFor(() => expect(screen.getByTestId('save-status')).toHaveTextContent('Saved'));
    expect(pressed('Ana A.', 'Present')).toBe('true');
  });

  it('undoes the last tap: back to the previous status, or to none while it is unsent', async () => {
    renderWithProviders(<Room />);
    act(() => setOnline(false));
    fireEvent.click(within(row('Cy C.')).getByRole('button', { name: 'Late' }));
    fireEvent.click(within(row('Ana A.')).getByRole('button', { name: 'Excused' }));
    fireEvent.click(screen.getByRole('button', { name: /Undo Ana A.: Excused/ }));
    expect(row('Ana A.')).toHaveAccessibleName(/not recorded/);
    fireEvent.click(screen.getByRole('button', { name: /Undo Cy C.: Late/ }));
    expect(pressed('Cy C.', 'Present')).toBe('true');
    expect(screen.queryByRole('button', { name: /^Undo/ })).toBeNull();
    act(() => setOnline(true));
    await waitFor(() => expect(screen.getByTestId('save-status')).not.toHaveTextContent('waiting'));
    expect(network.calls).toHaveLength(0);
  });

  it('shows a refused save with its problem and Retry', async () => {
    network.restore();
    network = stubFetch(() =>
      json({ type: '/problems/conflict', title: 'The session was cancelled', status: 409, detail: 'Ask the program lead.' }, 409),
    );
    renderWithProviders(<Room />);
    fireEvent.click(within(row('Ana A.')).getByRole('button', { name: 'Present' }));
    await waitFor(() =>
      expect(screen.getByTestId('save-status')).toHaveTextContent('Not saved: The session was cancelled'),
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('sets statuses from the keyboard and moves between rows with the arrows', async () => {
    renderWithProviders(<Room />);
    row('Ana A.').focus();
    fireEvent.keyDown(row('Ana A.'), { key: 'l' });
    expect(pressed('Ana A.', 'Late')).toBe('true');
    fireEvent.keyDown(row('Ana A.'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(row('Ben B.'));
    fireEvent.keyDown(row('Ben B.'), { key: 'u' });
    expect(pressed('Ben B.', 'Unexcused')).toBe('true');
  });
});
