/** Reading the waste forms: per-type text inputs into the API's amounts, with a message for what is not a number. */
import { WASTE_TYPES, type PerType, type WasteType } from './types'

export type PerTypeText = Partial<Record<WasteType, string>>

export class FormProblem extends Error {}

/** `{"plastic": "10", "glass": ""}` → `{"plastic": 10}`; a negative or fractional amount is a FormProblem. */
export function amountsFrom(values: PerTypeText, what = 'amount'): PerType<number> {
  const amounts: PerType<number> = {}
  for (const type of WASTE_TYPES) {
    const text = (values[type] ?? '').trim()
    if (!text) continue
    if (!/^\d+$/.test(text)) throw new FormProblem(`The ${type} ${what} must be a whole number of 0 or more.`)
    amounts[type] = Number(text)
  }
  return amounts
}

/** The API's amounts back into the form's text, e.g. to edit a storage's capacity. */
export function textFrom(amounts: PerType<number>): PerTypeText {
  const values: PerTypeText = {}
  for (const type of WASTE_TYPES) if (amounts[type] !== undefined) values[type] = String(amounts[type])
  return values
}

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
