import { PanelError } from './errors';

/** Awaits a call expected to fail with a PanelError (of `kind`, when given) and returns the error. */
export async function panelFailure(promise: Promise<unknown>, kind?: PanelError['kind']): Promise<PanelError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PanelError);
  if (kind) expect((error as PanelError).kind).toBe(kind);
  return error as PanelError;
}
