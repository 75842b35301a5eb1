/**
 * What an error answer means, in words a user can act on. The API's own `detail` is already a sentence (the 403
 * of a non-member names the organization, a 409 names what is in the way); these helpers add what the status
 * means where the body does not say, and read the deals upload's `{"Status", "Desc"}` shape.
 */
import { ApiError, isRecord } from './client'

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB'] as const

/** 10485760 → "10 MiB", 1536 → "1.5 KiB", 12 → "12 bytes". */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  const text = unit === 0 ? String(value) : value.toFixed(value < 10 && !Number.isInteger(value) ? 1 : 0)
  return `${text} ${UNITS[unit]}`
}

/** Field errors as one sentence: "name: This field may not be blank. age: …". */
export function fieldErrorText(error: ApiError): string {
  return Object.entries(error.fieldErrors)
    .map(([field, messages]) => (field === 'non_field_errors' ? messages.join(' ') : `${field}: ${messages.join(' ')}`))
    .join(' ')
}

/** A sentence for any failure of a request (an ApiError or anything thrown on the way). */
export function describeError(error: unknown, fallback = 'Something went wrong.'): string {
  if (!(error instanceof ApiError)) return error instanceof Error && error.message ? error.message : fallback
  const body = isRecord(error.body) ? error.body : {}
  const detail = typeof body.detail === 'string' ? body.detail : null
  switch (error.status) {
    case 0:
      return error.message
    case 401:
      if (error.code === 'api_key_missing') return 'Enter the API key first: the pets API needs it.'
      if (error.code === 'api_key_invalid') return 'The API key is wrong: the server refused it.'
      return 'Log in first: this needs an account.'
    case 403:
      // The waste API says who may: "Only staff may …" or "Only staff and members of organization …".
      return `Not allowed: ${detail ?? 'your account may not do this.'}`
    case 413: {
      const limit = typeof body.max_bytes === 'number' ? body.max_bytes : null
      if (limit !== null) return `The file is too large: the limit is ${formatBytes(limit)}.`
      return detail ?? 'The file is too large for the server.'
    }
    case 429:
      return 'Too many requests: wait a moment and try again.'
    default:
      if (error.status >= 500) return `The server failed (${error.status}). Try again in a moment.`
      if (detail) return detail
      if (Object.keys(error.fieldErrors).length) return fieldErrorText(error)
      return error.message || fallback
  }
}

export interface DealsProblem {
  /** The brief's `Desc`, as the server wrote it. */
  desc: string
  /** The line of deals.csv it is about, when `Desc` names one ("line 17: …"). */
  line: number | null
  /** The problem without its "line N: " prefix. */
  problem: string
}

const LINE_PREFIX = /^line (\d+): /

/** The `Desc` of a failed deals upload, with the line number read out of it. */
export function dealsProblem(error: unknown): DealsProblem {
  let desc: string
  if (error instanceof ApiError && isRecord(error.body) && typeof error.body.Desc === 'string') {
    desc = error.body.Desc
  } else {
    desc = describeError(error, 'The file could not be uploaded.')
  }
  const match = LINE_PREFIX.exec(desc)
  return {
    desc,
    line: match ? Number(match[1]) : null,
    problem: match ? desc.slice(match[0].length) : desc,
  }
}

/** "The problem is on line 17 of the file." (line 1 is the header). */
export function lineInWords(line: number): string {
  return line === 1 ? 'The problem is on line 1 of the file, the header.' : `The problem is on line ${line} of the file.`
}
