/**
 * The kit's HTTP client for the implementation's API. Built on node:http(s) rather than fetch so
 * that a case controls every header byte: fetch adds its own Content-Type to string bodies and
 * refuses some headers, and the recorder's rules (spec 4.1, 4.2) are about exactly those.
 */
import http from 'node:http';
import https from 'node:https';

export interface ApiResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
}

export interface RequestOptions {
  /** Default: the admin token; null = no Authorization header. */
  token?: string | null;
  /** JSON-serialized. */
  body?: unknown;
  /** Sent as is (wins over body). */
  rawBody?: string | Buffer;
  /** Default application/json when a body is sent, and for POST without body too; null = none. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Default 15 s; the request fails with an error naming the route after this. */
  timeoutMs?: number;
}

export interface ApiClient {
  baseUrl: string;
  /** `path` is relative to --url, e.g. `/v1/queues/kit/tasks`. */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

const agentOptions = { keepAlive: true, maxSockets: 16 };

export function createApiClient(baseUrl: string, adminToken: string): ApiClient & { close(): void } {
  const base = baseUrl.replace(/\/+$/, '');
  const secure = base.startsWith('https:');
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  return {
    baseUrl: base,
    close: () => agent.destroy(),
    request(method, path, options = {}) {
      const url = new URL(base + (path.startsWith('/') ? path : `/${path}`));
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? adminToken : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let payload: Buffer | undefined;
      if (options.rawBody !== undefined) payload = Buffer.from(options.rawBody);
      else if (options.body !== undefined) payload = Buffer.from(JSON.stringify(options.body));
      const contentType =
        options.contentType === undefined
          ? payload !== undefined || method.toUpperCase() === 'POST'
            ? 'application/json'
            : null
          : options.contentType;
      if (contentType !== null) headers['content-type'] = contentType;
      if (payload !== undefined) headers['content-length'] = String(payload.length);
      else if (method.toUpperCase() === 'POST') headers['content-length'] = '0';
      for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
      return send(
        secure ? https : http,
        agent,
        method.toUpperCase(),
        url,
        headers,
        payload,
        options.timeoutMs ?? 15_000,
      );
    },
  };
}

function send(
  transport: typeof http | typeof https,
  agent: http.Agent,
  method: string,
  url: URL,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  timeoutMs: number,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), text, json: parse(text) });
      });
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${method} ${url.pathname} failed: ${error.message}`));
    });
    req.end(payload);
  });
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parse(text: string): any {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
