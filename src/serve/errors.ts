/**
 * An error a request earns: an HTTP status and a message that names what was wrong and
 * where (the field, the step, the rank). The server answers `{error, ...details}` with it.
 */
export class ServeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ServeError';
  }
}
