import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { configureSession } from '@/api/client'
import { connectSession } from '@/session'
import { REFRESH_KEY, useAuthStore } from '@/stores/auth'

import { fakeApi, NOT_AUTHENTICATED, rotatingRefresh } from './fakeApi'

const TOKENS = { status: 200, body: { access: 'access-1', refresh: 'refresh-1' } }

function freshStore() {
  setActivePinia(createPinia())
  const auth = useAuthStore()
  connectSession(auth, () => undefined)
  return auth
}

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
})
afterEach(() => {
  configureSession(null)
  vi.unstubAllGlobals()
})

describe('the auth store', () => {
  it('keeps the access token in memory only and the refresh token in sessionStorage', async () => {
    const server = fakeApi({ 'POST /auth/token': () => TOKENS })
    const auth = freshStore()

    await auth.login('reader', 'secret-pass-42')

    expect(server.calls[0]?.body).toEqual({ username: 'reader', password: 'secret-pass-42' })
    expect(auth.access).toBe('access-1')
    expect(auth.username).toBe('reader')
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-1')
    const stored = [...Object.values({ ...sessionStorage }), ...Object.values({ ...localStorage })]
    expect(stored).not.toContain('access-1')
  })

  it('after a reload has the refresh token but no access token, and counts as logged in', () => {
    sessionStorage.setItem(REFRESH_KEY, 'refresh-1')
    const auth = freshStore()
    expect(auth.access).toBeNull()
    expect(auth.refreshToken).toBe('refresh-1')
    expect(auth.isLoggedIn).toBe(true)
  })

  it('stores the rotated refresh token', async () => {
    fakeApi({ 'POST /auth/token/refresh': rotatingRefresh(1) })
    sessionStorage.setItem(REFRESH_KEY, 'refresh-1')
    const auth = freshStore()

    await expect(auth.refresh()).resolves.toBe(true)

    expect(auth.access).toBe('access-2')
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-2')
  })

  it('forgets the session when the refresh token is refused', async () => {
    fakeApi({ 'POST /auth/token/refresh': () => NOT_AUTHENTICATED })
    sessionStorage.setItem(REFRESH_KEY, 'refresh-1')
    const auth = freshStore()

    await expect(auth.refresh()).resolves.toBe(false)

    expect(auth.isLoggedIn).toBe(false)
    expect(sessionStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('keeps the session when the server fails for another reason', async () => {
    fakeApi({ 'POST /auth/token/refresh': () => ({ status: 503, body: { detail: 'Down.', code: 'unavailable' } }) })
    sessionStorage.setItem(REFRESH_KEY, 'refresh-1')
    const auth = freshStore()

    await expect(auth.refresh()).rejects.toMatchObject({ status: 503 })

    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-1')
  })

  it('logs out by revoking the refresh token, then forgets both tokens', async () => {
    const server = fakeApi({ 'POST /auth/token': () => TOKENS, 'POST /auth/logout': () => ({ status: 204 }) })
    const auth = freshStore()
    await auth.login('reader', 'secret-pass-42')

    await auth.logout()

    const logout = server.calls.find((call) => call.path === '/auth/logout')
    expect(logout?.body).toEqual({ refresh: 'refresh-1' })
    expect(logout?.token).toBe('access-1')
    expect(auth.access).toBeNull()
    expect(auth.isLoggedIn).toBe(false)
    expect(sessionStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('after a reload, logs out with the renewed refresh token, not the spent one', async () => {
    const server = fakeApi({ 'POST /auth/token/refresh': rotatingRefresh(1), 'POST /auth/logout': () => ({ status: 204 }) })
    sessionStorage.setItem(REFRESH_KEY, 'refresh-1')
    const auth = freshStore()

    await auth.logout()

    expect(server.calls.find((call) => call.path === '/auth/logout')?.body).toEqual({ refresh: 'refresh-2' })
    expect(auth.isLoggedIn).toBe(false)
  })

  it('logs out locally even when the server cannot be told', async () => {
    fakeApi({ 'POST /auth/token': () => TOKENS, 'POST /auth/logout': () => ({ status: 500, body: { detail: 'Internal server error' } }) })
    const auth = freshStore()
    await auth.login('reader', 'secret-pass-42')

    await auth.logout()

    expect(auth.isLoggedIn).toBe(false)
  })

  it('registers, then logs in with the same credentials', async () => {
    const server = fakeApi({
      'POST /auth/register': () => ({ status: 201, body: { id: 1, username: 'new', date_joined: '2026-01-01T00:00:00Z' } }),
      'POST /auth/token': () => TOKENS,
    })
    const auth = freshStore()

    await auth.register('new', 'secret-pass-42')

    expect(server.calls.map((call) => call.path)).toEqual(['/auth/register', '/auth/token'])
    expect(auth.access).toBe('access-1')
  })

  it('learns once per login whether the user is staff (GET /auth/me), and forgets it on logout', async () => {
    const server = fakeApi({
      'POST /auth/token': () => TOKENS,
      'GET /auth/me': () => ({
        status: 200,
        body: { id: 1, username: 'operator', date_joined: '2026-01-01T00:00:00Z', is_staff: true },
      }),
      'POST /auth/logout': () => ({ status: 204 }),
    })
    const auth = freshStore()
    await auth.loadUser()
    expect(server.count('GET /auth/me')).toBe(0) // nobody to ask about

    await auth.login('operator', 'secret-pass-42')
    expect(auth.isStaff).toBeNull()
    await Promise.all([auth.loadUser(), auth.loadUser(), auth.loadUser()])
    await auth.loadUser()

    expect(server.count('GET /auth/me')).toBe(1)
    expect(auth.isStaff).toBe(true)
    await auth.logout()
    expect(auth.isStaff).toBeNull()
  })
})
