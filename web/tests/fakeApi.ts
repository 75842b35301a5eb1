/**
 * A stand-in for the API at the fetch boundary: each handler answers one "METHOD /path", and every call is
 * recorded (method, path, query, bearer token, JSON body) for the assertions.
 */
import { vi } from 'vitest'

export interface Call {
  method: string
  path: string
  query: URLSearchParams
  token: string | null
  body: unknown
}

export type Handler = (call: Call) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>

export function fakeApi(handlers: Record<string, Handler>) {
  const calls: Call[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost')
    const headers = new Headers(init?.headers)
    const call: Call = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      token: headers.get('Authorization')?.replace(/^Bearer /, '') ?? null,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    const handler = handlers[`${call.method} ${call.path}`]
    if (!handler) return json(404, { detail: 'Not found.', code: 'not_found' })
    const { status, body } = await handler(call)
    return status === 204 ? new Response(null, { status }) : json(status, body)
  })
  vi.stubGlobal('fetch', fetchMock)
  return { calls, count: (key: string) => calls.filter((call) => `${call.method} ${call.path}` === key).length }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export const NOT_AUTHENTICATED = { status: 401, body: { detail: 'Token is invalid or expired', code: 'token_not_valid' } }

/** The server's refresh rotation: each refresh token works once and yields the next pair. */
export function rotatingRefresh(first = 1): Handler {
  let current = first
  return (call) => {
    const given = (call.body as { refresh?: string }).refresh
    if (given !== `refresh-${current}`) return NOT_AUTHENTICATED
    current += 1
    return { status: 200, body: { access: `access-${current}`, refresh: `refresh-${current}` } }
  }
}

/** Lets a test decide when an answer arrives. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
