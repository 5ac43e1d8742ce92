import { act, fireEvent, render, screen } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useIdleTimer } from './useIdleTimer';

function Probe({ onTimeout }: { onTimeout: () => void }) {
  const { secondsLeft, reset } = useIdleTimer(900, 120, onTimeout);
  return (
    <div>
      <span data-testid="left">{secondsLeft === null ? 'none' : String(secondsLeft)}</span>
      <button onClick={reset}>Stay signed in</button>
    </div>
  );
}

describe('the idle warning', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('warns two minutes before the 15-minute logoff, counts down, and signs out at zero', () => {
    const onTimeout = vi.fn();
    render(
      <MantineProvider env="test">
        <Probe onTimeout={onTimeout} />
      </MantineProvider>,
    );
    act(() => vi.advanceTimersByTime(12 * 60_000 + 59_000));
    expect(screen.getByTestId('left')).toHaveTextContent('none');
    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.getByTestId('left')).toHaveTextContent('119');
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId('left')).toHaveTextContent('59');
    expect(onTimeout).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(60_000));
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('activity restarts the clock before the warning; once it shows only "stay signed in" does', () => {
    const onTimeout = vi.fn();
    render(<Probe onTimeout={onTimeout} />);
    act(() => vi.advanceTimersByTime(10 * 60_000));
    fireEvent.keyDown(window, { key: 'a' });
    act(() => vi.advanceTimersByTime(10 * 60_000));
    expect(screen.getByTestId('left')).toHaveTextContent('none');
    act(() => vi.advanceTimersByTime(4 * 60_000));
    expect(screen.getByTestId('left')).not.toHaveTextContent('none');
    fireEvent.pointerDown(window);
    expect(screen.getByTestId('left')).not.toHaveTextContent('none');
    fireEvent.click(screen.getByRole('button', { name: 'Stay signed in' }));
    expect(screen.getByTestId('left')).toHaveTextContent('none');
    act(() => vi.advanceTimersByTime(14 * 60_000));
    expect(onTimeout).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(61_000));
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });
});
