/**
 * Loading the whole network through the public list endpoints, 100 items a page (the API's maximum): the first
 * page of each list says how many there are, then the other pages are fetched six at a time (a browser's
 * connections per server), in one shared queue, and put back in id order.
 */
import type { PageQuery } from '@/api/endpoints'
import { wasteApi } from '@/api/endpoints'
import type { Page } from '@/api/types'

import type { Network } from './types'

export const PAGE_SIZE = 100
export const CONCURRENCY = 6

export type PageFetcher<T> = (query: PageQuery, signal?: AbortSignal) => Promise<Page<T>>

export interface LoadProgress {
  pages: number
  of: number
}

/** Runs `tasks` with at most `limit` at a time; rejects with the first failure (the rest are not started). */
export async function runPool(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>
      try {
        await task()
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
}

/** Every item of several paginated lists, their pages sharing one queue of `concurrency` requests. */
export async function fetchEverything<L extends Record<string, unknown>>(
  lists: { [K in keyof L]: PageFetcher<L[K]> },
  options: { signal?: AbortSignal; concurrency?: number; onProgress?: (progress: LoadProgress) => void } = {},
): Promise<{ [K in keyof L]: L[K][] }> {
  const names = Object.keys(lists) as (keyof L)[]
  const firsts = await Promise.all(names.map((name) => lists[name]({ limit: PAGE_SIZE, offset: 0 }, options.signal)))
  const pages = new Map<keyof L, unknown[][]>()
  const tasks: (() => Promise<void>)[] = []
  let of = names.length
  let done = names.length
  names.forEach((name, position) => {
    const first = firsts[position] as Page<unknown>
    const count = Math.ceil(first.count / PAGE_SIZE)
    const slots: unknown[][] = [first.items]
    pages.set(name, slots)
    for (let page = 1; page < count; page += 1) {
      of += 1
      tasks.push(async () => {
        const answer = await lists[name]({ limit: PAGE_SIZE, offset: page * PAGE_SIZE }, options.signal)
        slots[page] = answer.items
        done += 1
        options.onProgress?.({ pages: done, of })
      })
    }
  })
  options.onProgress?.({ pages: done, of })
  await runPool(tasks, options.concurrency ?? CONCURRENCY)
  const result = {} as { [K in keyof L]: L[K][] }
  for (const name of names) result[name] = (pages.get(name) ?? []).flat() as L[typeof name][]
  return result
}

export function loadNetwork(options: { signal?: AbortSignal; onProgress?: (progress: LoadProgress) => void } = {}) {
  return fetchEverything<{
    organizations: Network['organizations'][number]
    storages: Network['storages'][number]
    routes: Network['routes'][number]
  }>({ organizations: wasteApi.organizations, storages: wasteApi.storages, routes: wasteApi.routes }, options) as Promise<Network>
}
