// proxy/client-wait.ts: the relay's waits on a slow client. A drain resumes the paused upstream,
// the last bytes leaving finish the exchange, and a client that reads nothing for the idle time
// during a wait fails it — cut off and finished with the time-out after the upstream ended.
// Timers are vitest's fake clock: the idle time passes exactly when the test says.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientWait, type ClientWaitOwner } from '../../src/proxy/client-wait.js';
import { ResponseIdleTimeoutError } from '../../src/proxy/timeout-errors.js';

const IDLE_MS = 1_000;

function setup() {
  const res = Object.assign(new EventEmitter(), { destroyed: false, destroy: vi.fn(() => (res.destroyed = true)) });
  const owner = { resume: vi.fn(), fail: vi.fn(), finish: vi.fn() } satisfies ClientWaitOwner;
  const wait = new ClientWait(res as unknown as ServerResponse, IDLE_MS, owner);
  return { res, owner, wait };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ClientWait while the upstream is paused', () => {
  it('resumes the upstream when the client drains, and a later idle timer does nothing', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    res.emit('drain');
    expect(owner.resume).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(IDLE_MS * 2);
    expect(owner.fail).not.toHaveBeenCalled();
    expect(res.destroy).not.toHaveBeenCalled();
  });

  it('fails the exchange with the idle time-out when the client reads nothing for the idle time', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(owner.fail).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(owner.fail).toHaveBeenCalledTimes(1);
    expect(owner.fail.mock.calls[0]?.[0]).toBeInstanceOf(ResponseIdleTimeoutError);
    // While paused the relay's own failure path cuts the client off (and aborts the upstream).
    expect(res.destroy).not.toHaveBeenCalled();
    expect(owner.finish).not.toHaveBeenCalled();
  });

  it('restarts the idle time at each wait: one timer for the whole response, refreshed', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    vi.advanceTimersByTime(IDLE_MS - 10);
    res.emit('drain');
    wait.untilDrained();
    vi.advanceTimersByTime(IDLE_MS - 10);
    expect(owner.fail).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10);
    expect(owner.fail).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ClientWait after the upstream ended', () => {
  it('finishes without an error once the last bytes left', () => {
    const { res, owner, wait } = setup();
    wait.untilFinished();
    res.emit('finish');
    expect(owner.finish).toHaveBeenCalledWith();
    vi.advanceTimersByTime(IDLE_MS * 2);
    expect(owner.finish).toHaveBeenCalledTimes(1);
  });

  it('cuts the client off and finishes with the idle time-out when the last bytes never leave', () => {
    const { res, owner, wait } = setup();
    wait.untilFinished();
    vi.advanceTimersByTime(IDLE_MS);
    expect(res.destroy).toHaveBeenCalledTimes(1);
    expect(owner.finish).toHaveBeenCalledTimes(1);
    expect(owner.finish.mock.calls[0]?.[0]).toBeInstanceOf(ResponseIdleTimeoutError);
    expect(owner.fail).not.toHaveBeenCalled();
  });

  it('keeps one idle time across both waits: a drain, then the last bytes that never leave', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    vi.advanceTimersByTime(IDLE_MS - 10);
    res.emit('drain');
    wait.untilFinished();
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(owner.finish).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledTimes(1);
    expect(owner.finish.mock.calls[0]?.[0]).toBeInstanceOf(ResponseIdleTimeoutError);
  });

  it('finishes once: a finish event after the idle cut (the relay clears the wait as it finishes) is ignored', () => {
    const { res, owner, wait } = setup();
    owner.finish.mockImplementation(() => wait.clear());
    wait.untilFinished();
    vi.advanceTimersByTime(IDLE_MS);
    res.emit('finish');
    expect(owner.finish).toHaveBeenCalledTimes(1);
    expect(owner.finish.mock.calls[0]?.[0]).toBeInstanceOf(ResponseIdleTimeoutError);
  });

  it('never resumes an upstream that has ended, even if a drain comes late', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    wait.untilFinished();
    res.emit('drain');
    expect(owner.resume).not.toHaveBeenCalled();
  });
});

describe('ClientWait once the exchange is over', () => {
  it('calls nothing back and holds no timer', () => {
    const { res, owner, wait } = setup();
    wait.untilDrained();
    wait.clear();
    res.emit('drain');
    vi.advanceTimersByTime(IDLE_MS * 2);
    expect(owner.resume).not.toHaveBeenCalled();
    expect(owner.fail).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
