import { redactUrlQuery } from './util/redact.js';

/** Fields of a {@link ClientException}; all optional except the message. */
export interface ClientExceptionFields {
  /** `http` or `https`. */
  httpScheme?: string;
  /** Host name or address of the server. */
  httpHost?: string;
  /** Port of the server (`''` when the URL had none). */
  httpPort?: number | string;
  /** The request path as sent (percent-encoded). */
  httpPath?: string;
  /** The query string, without `?` (temp URL signatures redacted). */
  httpQuery?: string;
  /** The HTTP status; none for a network error or bad input. */
  httpStatus?: number;
  /** The status's reason phrase (`Not Found`). */
  httpReason?: string;
  /** The storage device, when a server names one (python's `http_device`). */
  httpDevice?: string;
  /** The response body, as text. */
  httpResponseContent?: string;
  /** The response headers (lower-case names). */
  httpResponseHeaders?: Record<string, string>;
  /** The error behind this one (kept as `cause`). */
  cause?: unknown;
}

/**
 * What kind of failure a {@link ClientException} is, as a stable string to
 * switch on (error messages may change; codes do not).
 *
 * - `NOT_FOUND`: the server answered 404 ({@link NotFoundError}).
 * - `UNAUTHORIZED`: 401, or the auth service refused the credentials ({@link UnauthorizedError}).
 * - `NETWORK`: no HTTP answer: refused, reset, DNS, TLS ({@link NetworkError}).
 * - `TIMEOUT`: no answer, or a body went silent, within `timeout` ({@link TimeoutError}).
 * - `CHECKSUM`: an MD5/ETag mismatch, upload or download ({@link ChecksumError}).
 * - `HTTP`: any other HTTP error status.
 * - `BAD_INPUT`: refused before anything was sent (a bad name, header, option or body).
 */
export type ClientErrorCode = 'NOT_FOUND' | 'UNAUTHORIZED' | 'NETWORK' | 'TIMEOUT' | 'CHECKSUM' | 'HTTP' | 'BAD_INPUT';

/**
 * Every failure from the server or the network, as python-swiftclient's
 * `ClientException`. Network errors have no `httpStatus` and carry the
 * original error as `cause`.
 *
 * The subclasses ({@link NotFoundError}, {@link UnauthorizedError},
 * {@link NetworkError}, {@link TimeoutError}, {@link ChecksumError}) keep
 * `name === 'ClientException'`, so code written against python-swiftclient's
 * single class sees no difference; tell them apart with `instanceof` or `code`.
 */
export class ClientException extends Error {
  /** Always `'ClientException'`, subclasses included, as python code expects. */
  override name = 'ClientException';
  /** What kind of failure this is; see {@link ClientErrorCode}. */
  readonly code: ClientErrorCode;
  /** The message without the URL and status part (python's `msg`), e.g. `'Object GET failed'`. */
  readonly msg: string;
  /** `http` or `https` (`''` when no request was made). */
  httpScheme: string;
  /** Host name or address of the server. */
  httpHost: string;
  /** Port of the server (`''` when the URL had none). */
  httpPort: number | string;
  /** The request path as sent (percent-encoded), e.g. `/v1/AUTH_test/photos/cat.jpg`. */
  httpPath: string;
  /** The query string, without `?`; temp URL signatures are redacted. */
  httpQuery: string;
  /** The HTTP status; undefined for a network error or refused input. */
  httpStatus: number | undefined;
  /** The status's reason phrase, e.g. `'Not Found'`. */
  httpReason: string;
  /** The storage device, when a server names one (python's `http_device`). */
  httpDevice: string;
  /** The response body as text (the message shows its first 60 characters). */
  httpResponseContent: string;
  /** The response headers (lower-case names); undefined without a response. */
  httpResponseHeaders: Record<string, string> | undefined;
  /** The server's transaction id (`X-Trans-Id` or `X-Openstack-Request-Id`), to quote to operators. */
  transactionId: string | undefined;

  /**
   * The message is `msg` followed by the URL, status, reason and a body
   * excerpt, as python's `ClientException.__str__` lays it out.
   *
   * @example
   * throw new ClientException('Object GET failed', { httpStatus: 503, httpReason: 'Service Unavailable' });
   */
  constructor(msg: string, fields: ClientExceptionFields = {}) {
    super(msg, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.msg = msg;
    this.httpScheme = fields.httpScheme ?? '';
    this.httpHost = fields.httpHost ?? '';
    this.httpPort = fields.httpPort ?? '';
    this.httpPath = fields.httpPath ?? '';
    // temp_url_sig and similar secrets must never reach logs through errors
    this.httpQuery = redactUrlQuery(fields.httpQuery ?? '');
    this.httpStatus = fields.httpStatus;
    this.httpReason = fields.httpReason ?? '';
    this.httpDevice = fields.httpDevice ?? '';
    this.httpResponseContent = fields.httpResponseContent ?? '';
    this.httpResponseHeaders = fields.httpResponseHeaders;
    this.transactionId = findHeader(this.httpResponseHeaders, 'x-trans-id') ?? findHeader(this.httpResponseHeaders, 'x-openstack-request-id');
    this.code = this.defaultCode();
    this.message = this.format();
  }

  /** The code a plain ClientException gets from its status; subclasses fix their own. */
  protected defaultCode(): ClientErrorCode {
    if (this.httpStatus === undefined) return 'BAD_INPUT';
    return 'HTTP';
  }

  /**
   * The same kind of exception (class, code, digests) with another message
   * and this one as its cause: a failure explained further keeps its type.
   */
  explained(msg: string): ClientException {
    const Kind = this.constructor as new (msg: string, fields: ClientExceptionFields) => ClientException;
    return new Kind(msg, { ...this.fields(), cause: this });
  }

  /** The HTTP fields, to carry into an exception that wraps this one. */
  fields(): ClientExceptionFields {
    const { httpScheme, httpHost, httpPort, httpPath, httpQuery, httpReason, httpDevice, httpResponseContent } = this;
    return {
      httpScheme,
      httpHost,
      httpPort,
      httpPath,
      httpQuery,
      httpReason,
      httpDevice,
      httpResponseContent,
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      ...(this.httpResponseHeaders === undefined ? {} : { httpResponseHeaders: this.httpResponseHeaders }),
    };
  }

  /** Builds the exception for a failed HTTP exchange. */
  static fromResponse(
    label: string,
    /** The URL as sent: its path is reported as is (not normalised). */
    url: string,
    status: number,
    reason: string,
    headers: Record<string, string>,
    body: string,
  ): ClientException {
    const Kind = status === 404 ? NotFoundError : status === 401 ? UnauthorizedError : ClientException;
    return new Kind(label, responseFields(url, status, reason, headers, body));
  }

  /** Same layout as python-swiftclient's `ClientException.__str__`. */
  private format(): string {
    let where = '';
    if (this.httpScheme) where += `${this.httpScheme}://`;
    if (this.httpHost) where += this.httpHost;
    if (this.httpPort !== '' && this.httpPort !== undefined) where += `:${this.httpPort}`;
    if (this.httpPath) where += this.httpPath;
    if (this.httpQuery) where += `?${this.httpQuery}`;
    if (this.httpStatus) where = where ? `${where} ${this.httpStatus}` : String(this.httpStatus);
    if (this.httpReason) where = where ? `${where} ${this.httpReason}` : `- ${this.httpReason}`;
    if (this.httpDevice) where = where ? `${where}: device ${this.httpDevice}` : `device ${this.httpDevice}`;
    if (this.httpResponseContent) {
      const content = this.httpResponseContent;
      where += content.length <= 60 ? `   ${content}` : `  [first 60 chars of response] ${content.slice(0, 60)}`;
    }
    const txn = this.transactionId ? ` (txn: ${this.transactionId})` : '';
    return where ? `${this.msg}: ${where}${txn}` : this.msg + txn;
  }

  /** Plain data for `JSON.stringify`, with no secrets (none are ever stored). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      httpScheme: this.httpScheme,
      httpHost: this.httpHost,
      httpPort: this.httpPort,
      httpPath: this.httpPath,
      httpQuery: this.httpQuery,
      httpStatus: this.httpStatus,
      httpReason: this.httpReason,
      httpResponseContent: this.httpResponseContent,
      transactionId: this.transactionId,
    };
  }
}

/** The URL parts of an exception: scheme, host, port, path, query (none for a URL that does not parse). */
export function urlFields(url: string): ClientExceptionFields {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  return {
    httpScheme: parsed.protocol.replace(/:$/, ''),
    httpHost: parsed.hostname,
    httpPort: parsed.port ? Number(parsed.port) : '',
    httpPath: parsed.pathname,
    httpQuery: parsed.search.replace(/^\?/, ''),
  };
}

/** The fields of an exception for an HTTP answer. */
export function responseFields(url: string, status: number, reason: string, headers: Record<string, string>, body: string): ClientExceptionFields {
  return { ...urlFields(url), httpStatus: status, httpReason: reason, httpResponseHeaders: headers, httpResponseContent: body };
}

/** Case-insensitive lookup: callers may build an exception from raw, mixed-case headers. */
function findHeader(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers[name] !== undefined) return headers[name];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** The server answered 404: no such account, container or object. */
export class NotFoundError extends ClientException {
  /** Always `'NOT_FOUND'`. */
  declare readonly code: 'NOT_FOUND';

  protected override defaultCode(): ClientErrorCode {
    return 'NOT_FOUND';
  }
}

/**
 * The server answered 401, or the auth service (Keystone, tempauth) refused
 * the credentials, whatever status it used to say so.
 */
export class UnauthorizedError extends ClientException {
  /** Always `'UNAUTHORIZED'`. */
  declare readonly code: 'UNAUTHORIZED';

  protected override defaultCode(): ClientErrorCode {
    return 'UNAUTHORIZED';
  }
}

/**
 * No HTTP answer: the connection was refused or reset, the name did not
 * resolve, TLS failed. `httpStatus` is undefined and `cause` is the
 * underlying error.
 */
export class NetworkError extends ClientException {
  /** `'NETWORK'`, or `'TIMEOUT'` for a {@link TimeoutError}. */
  declare readonly code: 'NETWORK' | 'TIMEOUT';

  protected override defaultCode(): ClientErrorCode {
    return 'NETWORK';
  }
}

/** No answer within `timeout` seconds, or a body went silent that long. */
export class TimeoutError extends NetworkError {
  /** Always `'TIMEOUT'`. */
  declare readonly code: 'TIMEOUT';

  protected override defaultCode(): ClientErrorCode {
    return 'TIMEOUT';
  }
}

/**
 * A server answer that is no usable HTTP error and no usable success: a
 * 2xx without the token or JSON it must carry, a resumed download with the
 * wrong range. Code `HTTP`, no `httpStatus`.
 */
export class BadAnswerError extends ClientException {
  protected override defaultCode(): ClientErrorCode {
    return 'HTTP';
  }
}

/** Fields of a {@link ChecksumError}: both digests and the object besides the HTTP fields. */
export interface ChecksumErrorFields extends ClientExceptionFields {
  /** The digest the server reported (the ETag, quotes stripped) or the one expected. */
  expected: string;
  /** The MD5 computed over the bytes actually sent or received (hex). */
  actual: string;
  /** Container of the object whose bytes did not match. */
  container?: string | undefined;
  /** Name of the object (or segment) whose bytes did not match. */
  object?: string | undefined;
}

/**
 * The MD5 of the bytes sent or received does not match the ETag (or the
 * manifest's digest for a segment). `container` and `object` name the
 * object; a Connection call's error also has the request's URL fields.
 *
 * @example
 * try { await conn.getObject('c', 'o'); }
 * catch (err) { if (err instanceof ChecksumError) console.error(err.container, err.object, err.expected, err.actual); }
 */
export class ChecksumError extends ClientException {
  /** Always `'CHECKSUM'`. */
  declare readonly code: 'CHECKSUM';

  /** The digest the server reported or the one expected (hex). */
  readonly expected: string;
  /** The digest computed over the bytes that passed (hex). */
  readonly actual: string;
  /** Container of the object whose bytes did not match. */
  readonly container: string | undefined;
  /** Name of the object (or segment) whose bytes did not match. */
  readonly object: string | undefined;

  /** Both digests besides the HTTP fields (`httpPath` names the container/object). */
  constructor(msg: string, fields: ChecksumErrorFields) {
    super(msg, fields);
    this.expected = fields.expected;
    this.actual = fields.actual;
    this.container = fields.container;
    this.object = fields.object;
  }

  override fields(): ChecksumErrorFields {
    return { ...super.fields(), expected: this.expected, actual: this.actual, container: this.container, object: this.object };
  }

  protected override defaultCode(): ClientErrorCode {
    return 'CHECKSUM';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), container: this.container, object: this.object, expected: this.expected, actual: this.actual };
  }
}
