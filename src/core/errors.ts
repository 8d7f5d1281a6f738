/** Errors are values with a place. */

/** A problem in a YAML/JSON input file, located to line and field path. */
export interface ProfileError {
  file: string;
  line?: number;
  column?: number;
  /** Dotted/indexed path of the field, e.g. `points[3].address`. */
  path: string;
  message: string;
}

export function formatProfileError(e: ProfileError): string {
  const at = e.line !== undefined ? `${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : e.file;
  return `${at}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

/** A frame/payload that could not be decoded, with the byte offset where decoding failed. */
export class DecodeError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly protocol?: string,
  ) {
    super(`${protocol ? `${protocol}: ` : ''}${reason} at offset ${offset}`);
    this.name = 'DecodeError';
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
