import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { api, ApiError, configureSession } from '@/api/client'
import { connectSession } from '@/session'
import { REFRESH_KEY, useAuthStore } from '@/stores/auth'

import { fakeApi, NOT_AUTHENTICATED, rotatingRefresh } from './fakeApi'

const PAGE = { status: 200, body: { count: 0, items: [] } }

/** The books endpoint of a server that accepts only `access-<valid>`. */
const booksAcceptingOnly = (valid: number) => (call: { token: string | null }) =>
  call.token === `access-${valid}` ? PAGE : NOT_AUTHENTICATED

function loggedIn(access: string | null, refresh: string | null) {
  if (refresh) sessionStorage.setItem(REFRESH_KEY, refresh)
  setActivePinia(createPinia())
  const auth = useAuthStore()
  auth.access = access
  const expired = vi.fn()
  connectSession(auth, expired)
  return { auth, expired }
}

beforeEach(() => sessionStorage.clear())
afterEach(() => {
  configureSession(null)
  vi.unstubAllGlobals()
})

describe('the API client', () => {
  it('answers a 401 with one silent refresh and sends the request again with the new token', async () => {
    const server = fakeApi({ 'GET /books': booksAcceptingOnly(2), 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { auth, expired } = loggedIn('access-1', 'refresh-1')

    await expect(api.get('/books')).resolves.toEqual({ count: 0, items: [] })

    expect(server.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual([
      'GET /books access-1',
      'POST /auth/token/refresh null',
      'GET /books access-2',
    ])
    expect(auth.access).toBe('access-2')
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-2')
    expect(expired).not.toHaveBeenCalled()
  })

  it('makes concurrent 401s share one refresh (a refresh token works once)', async () => {
    const server = fakeApi({ 'GET /books': booksAcceptingOnly(2), 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn('access-1', 'refresh-1')

    const answers = await Promise.all([api.get('/books'), api.get('/books'), api.get('/books')])

    expect(answers).toHaveLength(3)
    expect(server.count('POST /auth/token/refresh')).toBe(1)
    expect(server.calls.filter((call) => call.token === 'access-2')).toHaveLength(3)
    expect(expired).not.toHaveBeenCalled()
  })

  it('ends the session when the refresh is refused, without sending the request again', async () => {
    const server = fakeApi({ 'GET /books': () => NOT_AUTHENTICATED, 'POST /auth/token/refresh': () => NOT_AUTHENTICATED })
    const { auth, expired } = loggedIn('access-1', 'refresh-1')

    const error = await api.get('/books').catch((problem: unknown) => problem)

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(401)
    expect(server.count('GET /books')).toBe(1)
    expect(server.count('POST /auth/token/refresh')).toBe(1)
    expect(expired).toHaveBeenCalledTimes(1)
    expect(auth.isLoggedIn).toBe(false)
    expect(sessionStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('refreshes only once when the renewed token is refused too', async () => {
    const server = fakeApi({ 'GET /books': () => NOT_AUTHENTICATED, 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn('access-1', 'refresh-1')

    await expect(api.get('/books')).rejects.toMatchObject({ status: 401 })

    expect(server.count('POST /auth/token/refresh')).toBe(1)
    expect(server.count('GET /books')).toBe(2)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('after a reload (refresh token only) renews first instead of collecting a 401', async () => {
    const server = fakeApi({ 'GET /books': booksAcceptingOnly(2), 'POST /auth/token/refresh': rotatingRefresh(1) })
    loggedIn(null, 'refresh-1')

    await api.get('/books')

    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /auth/token/refresh', 'GET /books'])
    expect(server.calls[1]?.token).toBe('access-2')
  })

  it('never refreshes for the credential endpoints themselves', async () => {
    const bad = { status: 401, body: { detail: 'No active account found with the given credentials', code: 'no_active_account' } }
    const server = fakeApi({ 'POST /auth/token': () => bad, 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn(null, 'refresh-1')

    await expect(api.post('/auth/token', { username: 'a', password: 'b' }, { auth: false })).rejects.toMatchObject({
      status: 401,
      code: 'no_active_account',
      message: 'No active account found with the given credentials',
    })
    expect(server.count('POST /auth/token/refresh')).toBe(0)
    expect(expired).not.toHaveBeenCalled()
  })

  it('sends the query string without empty values and JSON bodies with their type', async () => {
    const server = fakeApi({ 'POST /books': () => ({ status: 201, body: { id: 1 } }) })
    loggedIn('access-1', 'refresh-1')

    await api.post('/books', { title: 'T' }, { query: { a: 1, b: '', c: undefined, d: null } })

    expect(server.calls[0]?.query.toString()).toBe('a=1')
    expect(server.calls[0]?.body).toEqual({ title: 'T' })
  })
})

describe('ApiError', () => {
  it('keeps field errors beside their fields and says so', () => {
    const error = new ApiError(400, { title: ['This field is required.'], published_on: ['Bad date.'] }, 'x')
    expect(error.fieldErrors).toEqual({ title: ['This field is required.'], published_on: ['Bad date.'] })
    expect(error.message).toBe('Please correct the fields below.')
  })

  it('reads detail and code, and keeps the body (the books of a 409)', () => {
    const body = { detail: 'Author 7 is the only author of 1 book(s).', code: 'author_is_sole_author', books: [{ id: 4, title: 'B' }] }
    const error = new ApiError(409, body, 'x')
    expect(error.message).toBe(body.detail)
    expect(error.code).toBe('author_is_sole_author')
    expect(error.fieldErrors).toEqual({})
    expect(error.body).toEqual(body)
  })

  it('is status 0 with a plain message when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    await expect(api.get('/books', { auth: false })).rejects.toMatchObject({
      status: 0,
      message: 'The server cannot be reached. Check your connection and try again.',
    })
  })
})
