import { redactUrlQuery } from './util/redact.js';

/** Fields of a {@link ClientException}; all optional except the message. */
export interface ClientExceptionFields {
  httpScheme?: string;
  httpHost?: string;
  httpPort?: number | string;
  httpPath?: string;
  httpQuery?: string;
  httpStatus?: number;
  httpReason?: string;
  httpDevice?: string;
  httpResponseContent?: string;
  httpResponseHeaders?: Record<string, string>;
  cause?: unknown;
}

/**
 * Every failure from the server or the network, as python-swiftclient's
 * `ClientException`. Network errors have no `httpStatus` and carry the
 * original error as `cause`.
 */
export class ClientException extends Error {
  override name = 'ClientException';
  readonly msg: string;
  httpScheme: string;
  httpHost: string;
  httpPort: number | string;
  httpPath: string;
  httpQuery: string;
  httpStatus: number | undefined;
  httpReason: string;
  httpDevice: string;
  httpResponseContent: string;
  httpResponseHeaders: Record<string, string> | undefined;
  transactionId: string | undefined;

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
    this.message = this.format();
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
    const parsed = new URL(url);
    return new ClientException(label, {
      httpScheme: parsed.protocol.replace(/:$/, ''),
      httpHost: parsed.hostname,
      httpPort: parsed.port ? Number(parsed.port) : '',
      httpPath: parsed.pathname,
      httpQuery: parsed.search.replace(/^\?/, ''),
      httpStatus: status,
      httpReason: reason,
      httpResponseHeaders: headers,
      httpResponseContent: body,
    });
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

/** Case-insensitive lookup: callers may build an exception from raw, mixed-case headers. */
function findHeader(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers[name] !== undefined) return headers[name];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
