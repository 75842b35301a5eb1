import { describe, expect, it } from 'vitest'

import type { Page } from '@/api/types'
import { fetchEverything, PAGE_SIZE, type LoadProgress } from '@/waste/network'

import { deferred } from './fakeApi'

/** A paginated list of `count` numbers whose pages answer when the test says so; records concurrency. */
function list(count: number) {
  const open: { offset: number; resolve: (page: Page<number>) => void }[] = []
  let inFlight = 0
  let most = 0
  const fetchPage = async ({ limit, offset }: { limit: number; offset: number }) => {
    inFlight += 1
    most = Math.max(most, inFlight)
    const answer = deferred<Page<number>>()
    open.push({ offset, resolve: answer.resolve })
    const page = await answer.promise
    inFlight -= 1
    expect(limit).toBe(PAGE_SIZE)
    return page
  }
  const items = Array.from({ length: count }, (_, index) => index)
  const answerAll = async () => {
    // Answer in reverse order of asking, until nothing is left: the result must still be in id order.
    for (let round = 0; round < 1000; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      const waiting = open.splice(0).reverse()
      if (!waiting.length && round > 3) return
      for (const { offset, resolve } of waiting) resolve({ count, items: items.slice(offset, offset + PAGE_SIZE) })
    }
  }
  return { fetchPage, answerAll, most: () => most }
}

describe('loading the whole network', () => {
  it('fetches every page of every list, at most six at a time, and keeps each list in order', async () => {
    const routes = list(2050)
    const storages = list(250)
    const organizations = list(7)
    const seen: LoadProgress[] = []

    const loading = fetchEverything(
      { routes: routes.fetchPage, storages: storages.fetchPage, organizations: organizations.fetchPage },
      { onProgress: (progress) => seen.push(progress) },
    )
    await Promise.all([routes.answerAll(), storages.answerAll(), organizations.answerAll()])
    const result = await loading

    expect(result.routes).toEqual(Array.from({ length: 2050 }, (_, index) => index))
    expect(result.storages).toHaveLength(250)
    expect(result.organizations).toHaveLength(7)
    expect(routes.most() + storages.most() + organizations.most()).toBeLessThanOrEqual(6 + 3) // first pages + pool
    expect(seen.at(-1)).toEqual({ pages: 21 + 3 + 1, of: 21 + 3 + 1 })
  })

  it('fails as a whole when a page fails', async () => {
    const broken = async ({ offset }: { offset: number }) => {
      if (offset === 200) throw new Error('page 3 failed')
      return { count: 500, items: [] as number[] }
    }
    await expect(fetchEverything({ broken })).rejects.toThrow('page 3 failed')
  })
})
