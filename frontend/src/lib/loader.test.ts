import { afterEach, describe, expect, it, vi } from 'vitest';
import { setOnline } from '../test/render';
import { loader } from './loader';

describe('loading a part of the app fetched apart', () => {
  afterEach(() => {
    setOnline(true);
    vi.useRealTimers();
  });

  it('waits offline for the connection instead of failing, then loads once for everyone', async () => {
    setOnline(false);
    const load = vi.fn(() => Promise.resolve('dialog'));
    const get = loader(load);
    const first = get();
    const second = get();
    await Promise.resolve();
    expect(load).not.toHaveBeenCalled();
    setOnline(true);
    await expect(first).resolves.toBe('dialog');
    await expect(second).resolves.toBe('dialog');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries a failed fetch again, and gives up after three tries while online', async () => {
    vi.useFakeTimers();
    const flaky = vi.fn().mockRejectedValueOnce(new Error('dropped')).mockResolvedValue('tab');
    const tab = loader(flaky)();
    await vi.runAllTimersAsync();
    await expect(tab).resolves.toBe('tab');
    expect(flaky).toHaveBeenCalledTimes(2);

    const broken = vi.fn(() => Promise.reject(new Error('gone')));
    const part = loader(broken)();
    const settled = part.catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await settled).toEqual(new Error('gone'));
    expect(broken).toHaveBeenCalledTimes(3);
  });
});
