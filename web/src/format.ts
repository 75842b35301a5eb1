const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })

/** "1999-10-20" → "20 Oct 1999" (the date as published, whatever the reader's time zone). */
export function formatDate(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(date.getTime()) ? iso : DATE.format(date)
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

/** "4.33 out of 5 from 3 ratings", or "Not rated yet". */
export function formatRating(rating: number | null, count: number): string {
  if (rating === null || count === 0) return 'Not rated yet'
  return `${rating.toFixed(2)} out of 5 from ${plural(count, 'rating')}`
}

export function debounce<Args extends unknown[]>(action: (...args: Args) => void, wait: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const debounced = (...args: Args) => {
    clearTimeout(timer)
    timer = setTimeout(() => action(...args), wait)
  }
  debounced.cancel = () => clearTimeout(timer)
  return debounced
}

/** The first value of a query-string parameter, as text. */
export function queryText(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

/** A positive integer from the query string, or `fallback`. */
export function queryInt(value: unknown, fallback: number, allowed?: readonly number[]): number {
  const text = queryText(value)
  const number = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(number) || number < 1) return fallback
  return allowed && !allowed.includes(number) ? fallback : number
}

const MONEY = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 })

/** 451731 → "451,731", 10000.18 → "10,000.18". */
export function formatMoney(amount: number): string {
  return MONEY.format(amount)
}

/**
 * A whole number from an input's v-model (Vue gives a number for `type="number"` inputs, or '' when empty),
 * or null when it is empty or anything else.
 */
export function wholeNumber(value: unknown): number | null {
  const text = String(value ?? '').trim()
  return /^\d+$/.test(text) ? Number(text) : null
}
