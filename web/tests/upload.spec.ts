import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError, configureSession } from '@/api/client'
import { dealsApi, petsApi } from '@/api/endpoints'
import { progressOf, type UploadProgress } from '@/api/upload'
import { connectSession } from '@/session'
import { REFRESH_KEY, useAuthStore } from '@/stores/auth'

import { fakeApi, rotatingRefresh } from './fakeApi'
import { fakeXhr, sentCount } from './fakeXhr'

const CSV = new File(['customer,item,total,quantity,date\n'], 'deals.csv', { type: 'text/csv' })

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

describe('uploads', () => {
  it('report the progress of the request body as the browser sends it', async () => {
    const sent = fakeXhr()
    loggedIn('access-1', 'refresh-1')
    const seen: UploadProgress[] = []

    const upload = dealsApi.upload(CSV, (progress) => seen.push(progress))
    const request = await sentCount(1)
    request.progress(0, 4000)
    request.progress(1000, 4000)
    request.progress(4000, 4000)
    request.answer(200, { Status: 'OK' })

    await expect(upload).resolves.toEqual({ Status: 'OK' })
    expect(seen.map((progress) => progress.fraction)).toEqual([0, 0, 0.25, 1])
    expect(seen[2]).toEqual({ loaded: 1000, total: 4000, fraction: 0.25 })
    expect(sent).toHaveLength(1)
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/deals')
    expect(request.headers.Authorization).toBe('Bearer access-1')
    expect((request.body?.get('deals') as File).name).toBe('deals.csv')
  })

  it('say the fraction is unknown while the browser does not know the total', () => {
    expect(progressOf({ loaded: 512, total: 0, lengthComputable: false })).toEqual({ loaded: 512, total: 0, fraction: null })
    expect(progressOf({ loaded: 5, total: 4, lengthComputable: true }).fraction).toBe(1)
  })

  it('answer a 401 with one silent refresh and send the whole file again with the new token', async () => {
    fakeXhr()
    fakeApi({ 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn('access-1', 'refresh-1')
    const seen: number[] = []

    const upload = dealsApi.upload(CSV, (progress) => seen.push(progress.loaded))
    const first = await sentCount(1)
    first.progress(4000, 4000)
    first.answer(401, { Status: 'Error', Desc: 'Given token not valid for any token type' })
    const second = await sentCount(2)
    second.progress(2000, 4000)
    second.answer(200, { Status: 'OK' })

    await expect(upload).resolves.toEqual({ Status: 'OK' })
    expect(second.headers.Authorization).toBe('Bearer access-2')
    expect(seen).toEqual([0, 4000, 0, 2000]) // the bar starts again with the second attempt
    expect(expired).not.toHaveBeenCalled()
  })

  it('end the session when the refreshed token is refused too, without a loop', async () => {
    fakeXhr()
    fakeApi({ 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn('access-1', 'refresh-1')

    const upload = dealsApi.upload(CSV, () => undefined)
    ;(await sentCount(1)).answer(401, { Status: 'Error', Desc: 'Token is invalid or expired' })
    ;(await sentCount(2)).answer(401, { Status: 'Error', Desc: 'Token is invalid or expired' })

    await expect(upload).rejects.toMatchObject({ status: 401 })
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('reject with the answer of a refused file (the brief’s Status/Desc kept in the body)', async () => {
    fakeXhr()
    loggedIn('access-1', 'refresh-1')

    const upload = dealsApi.upload(CSV, () => undefined)
    ;(await sentCount(1)).answer(400, { Status: 'Error', Desc: 'line 3: quantity must be a positive integer, got "x"' })

    const error = await upload.catch((problem: unknown) => problem)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(400)
    expect((error as ApiError).body).toEqual({ Status: 'Error', Desc: 'line 3: quantity must be a positive integer, got "x"' })
  })

  it('send the pets API key and never the session token, and a 401 there does not touch the session', async () => {
    fakeXhr()
    const refreshes = fakeApi({ 'POST /auth/token/refresh': rotatingRefresh(1) })
    const { expired } = loggedIn('access-1', 'refresh-1')
    const photo = new File([new Uint8Array([1, 2, 3])], 'rex.png', { type: 'image/png' })

    const upload = petsApi.uploadPhoto('wrong-key', 'pet-1', photo, () => undefined)
    const request = await sentCount(1)
    request.answer(401, { detail: 'Invalid X-API-KEY header.', code: 'api_key_invalid' })

    await expect(upload).rejects.toMatchObject({ status: 401, code: 'api_key_invalid' })
    expect(request.url).toBe('/pets/pet-1/photo')
    expect(request.headers['X-API-KEY']).toBe('wrong-key')
    expect(request.headers.Authorization).toBeUndefined()
    expect((request.body?.get('file') as File).name).toBe('rex.png')
    expect(refreshes.count('POST /auth/token/refresh')).toBe(0)
    expect(expired).not.toHaveBeenCalled()
  })

  it('fail with status 0 when the server cannot be reached, and stop when cancelled', async () => {
    fakeXhr()
    loggedIn('access-1', null)

    const unreachable = dealsApi.upload(CSV, () => undefined)
    ;(await sentCount(1)).fail()
    await expect(unreachable).rejects.toMatchObject({ status: 0 })

    const controller = new AbortController()
    const cancelled = dealsApi.upload(CSV, () => undefined, controller.signal)
    const request = await sentCount(2)
    controller.abort()
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' })
    expect(request.aborted).toBe(true)
  })
})
