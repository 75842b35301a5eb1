/**
 * The one way the client talks to the API: JSON over fetch, with the JWT of the session.
 *
 * A request that answers 401 triggers one silent token refresh and is sent once more; if the refresh fails, or
 * the second answer is a 401 again, the session is over (`Session.expired`, which sends the user to the login
 * page) and the request fails with an ApiError. The refresh itself is the session's business (stores/auth.ts):
 * it makes sure concurrent 401s share one refresh, since each refresh token works once.
 */

export type FieldErrors = Record<string, string[]>

/** An error answer: `{detail, code}` or field errors (`{"title": ["..."]}`), or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string | null
  readonly fieldErrors: FieldErrors
  readonly body: unknown

  constructor(status: number, body: unknown, fallback: string) {
    const record = isRecord(body) ? body : {}
    const detail = typeof record.detail === 'string' ? record.detail : null
    const fieldErrors: FieldErrors = {}
    for (const [name, value] of Object.entries(record)) {
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
        fieldErrors[name] = value
      }
    }
    super(detail ?? (Object.keys(fieldErrors).length ? 'Please correct the fields below.' : fallback))
    this.name = 'ApiError'
    this.status = status
    this.code = typeof record.code === 'string' ? record.code : null
    this.fieldErrors = fieldErrors
    this.body = body
  }
}

export interface Session {
  /** The access token held in memory, if any. */
  accessToken(): string | null
  /** Whether a refresh token is at hand (a reload keeps it, not the access token). */
  canRefresh(): boolean
  /** Exchange the refresh token for new tokens; false when it is refused. Concurrent calls share one request. */
  refresh(): Promise<boolean>
  /** The session cannot be renewed: forget it and ask the user to log in again. */
  expired(): void
}

let session: Session | null = null

export function configureSession(value: Session | null): void {
  session = value
}

export type Query = Record<string, string | number | undefined | null>

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** Send the session's token (and refresh it on a 401). Off for login, register and refresh themselves. */
  auth?: boolean
  /** Extra request headers (the pets API's `X-API-KEY`). */
  headers?: Record<string, string>
  signal?: AbortSignal
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function send(method: string, url: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  try {
    return await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, null, 'The server cannot be reached. Check your connection and try again.')
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** One attempt at a request with the given token (or none); `status` 0 is never returned, it throws instead. */
export type Attempt<R extends { status: number }> = (token: string | null) => Promise<R>

/**
 * Runs `attempt` with the session's token: renews first when only the refresh token is at hand, and answers a 401
 * with one silent refresh and one more attempt. The fetch requests and the uploads (api/upload.ts) share this.
 */
export async function withSession<R extends { status: number }>(auth: boolean, attempt: Attempt<R>): Promise<R> {
  if (auth && session && !session.accessToken() && session.canRefresh()) {
    // After a reload only the refresh token is left: renew before asking, rather than collect a 401 first.
    await session.refresh()
  }
  let answer = await attempt(auth ? (session?.accessToken() ?? null) : null)
  if (answer.status === 401 && auth && session) {
    const renewed = session.canRefresh() && (await session.refresh())
    if (renewed) answer = await attempt(session.accessToken())
    if (!renewed || answer.status === 401) session.expired()
  }
  return answer
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = buildUrl(path, options.query)
  const response = await withSession(options.auth ?? true, (token) => send(method, url, options, token))
  const body = await readBody(response)
  if (!response.ok) throw new ApiError(response.status, body, `The server answered ${response.status}.`)
  return body as T
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T = null>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
