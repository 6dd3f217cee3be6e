/** A refusal the server turns into `{status, {"message"}}`. */
export class ComapStateError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
