/**
 * A stand-in for XMLHttpRequest, the boundary of uploads: each request is recorded (method, URL, headers, form)
 * and answered by the test, which can also send progress events in between.
 */
import { vi } from 'vitest'

type Listener = ((event: ProgressEvent) => void) | null

export class FakeXhr {
  static sent: FakeXhr[] = []
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: FormData | null = null
  status = 0
  responseText = ''
  aborted = false
  upload: { onprogress: Listener } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null

  open(method: string, url: string): void {
    this.method = method
    this.url = url
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value
  }

  send(body: FormData): void {
    this.body = body
    FakeXhr.sent.push(this)
  }

  abort(): void {
    this.aborted = true
    this.onabort?.()
  }

  /** The browser reports `loaded` of `total` bytes sent (lengthComputable unless total is 0). */
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: total > 0 } as ProgressEvent)
  }

  answer(status: number, body: unknown): void {
    this.status = status
    this.responseText = body === undefined ? '' : JSON.stringify(body)
    this.onload?.()
  }

  fail(): void {
    this.onerror?.()
  }
}

export function fakeXhr() {
  FakeXhr.sent = []
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
  return FakeXhr.sent
}

/** Until the `count`-th request has been sent (uploads start after a possible token renewal). */
export async function sentCount(count: number): Promise<FakeXhr> {
  for (let tries = 0; tries < 100 && FakeXhr.sent.length < count; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  const request = FakeXhr.sent[count - 1]
  if (!request) throw new Error(`only ${FakeXhr.sent.length} request(s) were sent, not ${count}`)
  return request
}
