/**
 * File uploads with real progress: fetch cannot report how much of a request body has been sent, so uploads go
 * through XMLHttpRequest and its `upload.onprogress` events. The session's token and its one silent refresh on a
 * 401 are the same as for every other request (`withSession`); a refreshed upload starts again from byte 0.
 */
import { ApiError, withSession } from './client'

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number
  /** Bytes of the whole request body (the multipart form, a little more than the file). */
  total: number
  /** 0..1, or null while the browser does not know the total yet. */
  fraction: number | null
}

export interface UploadOptions {
  url: string
  /** The multipart field that carries the file (`deals`, `file`). */
  field: string
  file: Blob
  fileName?: string
  /** Send the session's JWT (and renew it once on a 401); off for the pets API, which uses `X-API-KEY`. */
  auth?: boolean
  headers?: Record<string, string>
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

interface Answer {
  status: number
  body: unknown
}

/** The progress of one `progress` event; `lengthComputable` false gives an unknown fraction. */
export function progressOf(event: { loaded: number; total: number; lengthComputable: boolean }): UploadProgress {
  const known = event.lengthComputable && event.total > 0
  return {
    loaded: event.loaded,
    total: known ? event.total : 0,
    fraction: known ? Math.min(1, event.loaded / event.total) : null,
  }
}

function parse(text: string): unknown {
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function attempt(options: UploadOptions, token: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', options.url)
    xhr.setRequestHeader('Accept', 'application/json')
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value)
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (event) => options.onProgress?.(progressOf(event))
    xhr.onload = () => resolve({ status: xhr.status, body: parse(xhr.responseText) })
    xhr.onerror = () =>
      reject(new ApiError(0, null, 'The server cannot be reached. Check your connection and try again.'))
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    if (options.signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'))
      return
    }
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    const form = new FormData()
    form.append(options.field, options.file, options.fileName ?? (options.file instanceof File ? options.file.name : 'upload'))
    options.onProgress?.({ loaded: 0, total: options.file.size, fraction: 0 })
    xhr.send(form)
  })
}

/** POSTs `file` as multipart form data; resolves with the JSON answer, rejects with an ApiError on 4xx/5xx. */
export async function uploadFile<T>(options: UploadOptions): Promise<T> {
  const answer = await withSession(options.auth ?? true, (token) => attempt(options, token))
  if (answer.status < 200 || answer.status >= 300) {
    throw new ApiError(answer.status, answer.body, `The server answered ${answer.status}.`)
  }
  return answer.body as T
}
