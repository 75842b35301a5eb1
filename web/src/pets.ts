/** The pets page's own state: the API key of this tab and the photo size limit. */
export const API_KEY_STORAGE = 'pets.apiKey'
const LIMIT_STORAGE = 'pets.photoMaxBytes'

/**
 * The server's PET_PHOTO_MAX_BYTES as shipped (config/settings/base.py; tests/web/test_packaging.py keeps the two
 * equal). A server configured otherwise states its limit in a 413 answer's `max_bytes`, and the page then uses
 * that one for the rest of the session.
 */
export const DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024

export function photoMaxBytes(): number {
  const stored = Number(sessionStorage.getItem(LIMIT_STORAGE))
  return Number.isSafeInteger(stored) && stored > 0 ? stored : DEFAULT_PHOTO_MAX_BYTES
}

export function rememberPhotoMaxBytes(bytes: number): void {
  sessionStorage.setItem(LIMIT_STORAGE, String(bytes))
}
