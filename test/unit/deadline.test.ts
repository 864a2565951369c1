import { withDeadline } from '../../lambdas/runtime/deadline';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

it('returns the work when it finishes in time, without running the fallback', async () => {
  const onTimeout = jest.fn(() => 'fallback');
  await expect(withDeadline(after(5, 'work'), 200, onTimeout)).resolves.toBe('work');
  expect(onTimeout).not.toHaveBeenCalled();
});

it('returns the fallback once the deadline passes, and runs it once', async () => {
  const onTimeout = jest.fn(async () => 'fallback');
  await expect(withDeadline(after(300, 'work'), 10, onTimeout)).resolves.toBe('fallback');
  expect(onTimeout).toHaveBeenCalledTimes(1);
});

it('passes on a failure of the work that comes before the deadline', async () => {
  await expect(withDeadline(Promise.reject(new Error('boom')), 200, () => 'fallback')).rejects.toThrow('boom');
});
