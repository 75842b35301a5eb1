import { describe, expect, it } from 'vitest'

import type { Organization, Route, Storage } from '@/api/types'
import {
  buildElements,
  edgeIndex,
  fillBars,
  formatDistance,
  layeredLayout,
  pathHighlight,
  positionsFor,
  type EdgeElement,
  type NodeElement,
} from '@/waste/graph'
import type { Network } from '@/waste/types'

const organization = (id: number, name: string): Organization => ({
  id,
  name,
  waste: { plastic: { stock: 0, limit: 10 } },
})
const storage = (id: number, name: string, stored = 0, capacity = 100): Storage => ({
  id,
  name,
  capacity: { glass: capacity, plastic: capacity },
  room: { glass: { capacity, stored, free: capacity - stored }, plastic: { capacity, stored: 0, free: capacity } },
})
const ref = (id: number, name: string) => ({ id, name })
const fromOrganization = (id: number, from: number, to: number, distance: number): Route => ({
  id,
  from_organization: ref(from, `ОО${from}`),
  from_storage: null,
  to_storage: ref(to, `МНО${to}`),
  distance_m: distance,
  two_way: false,
})
const betweenStorages = (id: number, from: number, to: number, distance: number, twoWay: boolean): Route => ({
  id,
  from_organization: null,
  from_storage: ref(from, `МНО${from}`),
  to_storage: ref(to, `МНО${to}`),
  distance_m: distance,
  two_way: twoWay,
})

/** A small piece of case 1: ОО1 → МНО1 → МНО2 ⇄ МНО5, and МНО9 reachable from nowhere. */
function caseNetwork(): Network {
  return {
    organizations: [organization(1, 'ОО1')],
    storages: [storage(1, 'МНО1'), storage(2, 'МНО2', 50), storage(5, 'МНО5'), storage(9, 'МНО9')],
    routes: [
      fromOrganization(1, 1, 1, 100),
      betweenStorages(2, 1, 2, 100, false),
      betweenStorages(3, 2, 5, 50, true),
    ],
  }
}

/** A random network of `organizations` + `storages` sites and `routes` routes (deterministic). */
function bigNetwork(organizations: number, storages: number, routes: number): Network {
  let seed = 42
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % below
  }
  const list: Route[] = []
  for (let id = 1; id <= routes; id += 1) {
    const to = random(storages) + 1
    list.push(
      id % 3 === 0
        ? fromOrganization(id, random(organizations) + 1, to, 1 + random(1000))
        : betweenStorages(id, random(storages) + 1, to, 1 + random(1000), id % 7 === 0),
    )
  }
  return {
    organizations: Array.from({ length: organizations }, (_, i) => organization(i + 1, `ОО${i + 1}`)),
    storages: Array.from({ length: storages }, (_, i) => storage(i + 1, `МНО${i + 1}`)),
    routes: list,
  }
}

describe('the network graph', () => {
  it('has one node per site (organizations and storages told apart) and one edge per route', () => {
    const elements = buildElements(caseNetwork())
    const nodes = elements.filter((element): element is NodeElement => element.group === 'nodes')
    const edges = elements.filter((element): element is EdgeElement => element.group === 'edges')

    expect(nodes.map((node) => [node.data.id, node.data.label, node.classes])).toEqual([
      ['o1', 'ОО1', 'organization'],
      ['s1', 'МНО1', 'storage'],
      ['s2', 'МНО2', 'storage'],
      ['s5', 'МНО5', 'storage'],
      ['s9', 'МНО9', 'storage'],
    ])
    expect(edges.map((edge) => [edge.data.source, edge.data.target, edge.data.label, edge.classes])).toEqual([
      ['o1', 's1', '100 m', 'route'],
      ['s1', 's2', '100 m', 'route'],
      ['s2', 's5', '⇄ 50 m', 'route two-way'],
    ])
    expect(nodes.find((node) => node.data.kind === 'organization')?.data.bars).toBeUndefined()
    expect(nodes.find((node) => node.data.id === 's2')?.data.bars).toMatch(/^data:image\/svg\+xml;utf8,/)
  })

  it('draws a bar per equipped type, filled in twentieths (anything stored shows, nothing is full unless full)', () => {
    const svg = (stored: number) =>
      decodeURIComponent(fillBars({ glass: { capacity: 1000, stored, free: 1000 - stored } })!.split(',')[1]!)
    const filledHeight = (stored: number) => Number(/height="([\d.]+)" fill="#1565c0"/.exec(svg(stored))?.[1])

    expect(filledHeight(0)).toBe(0)
    expect(filledHeight(1)).toBeGreaterThan(0) // one step, not invisible
    expect(filledHeight(500)).toBeCloseTo(14)
    expect(filledHeight(999)).toBeLessThan(28)
    expect(filledHeight(1000)).toBe(28)
    expect(fillBars({})).toBeUndefined()
    const two = decodeURIComponent(fillBars(storage(1, 'x', 10).room)!)
    expect(two.match(/fill="#e5e7eb"/g)).toHaveLength(2)
  })

  it('lays sites out in columns by hops from the organizations; unreachable storages come last', () => {
    const positions = layeredLayout(caseNetwork())
    const column = (id: string) => positions.get(id)!.x / 170

    expect(column('o1')).toBe(0)
    expect(column('s1')).toBe(1)
    expect(column('s2')).toBe(2)
    expect(column('s5')).toBe(3) // reached through the two-way route
    expect(column('s9')).toBe(4)
    expect(positions.size).toBe(5)
  })

  it('wraps long columns, so every one of 2,000 sites gets a place of its own', () => {
    const network = bigNetwork(1000, 1000, 20000)
    const positions = layeredLayout(network)
    const places = new Set([...positions.values()].map((p) => `${p.x},${p.y}`))

    expect(positions.size).toBe(2000)
    expect(places.size).toBe(2000)
    const xs = [...positions.values()].map((p) => p.x)
    const ys = [...positions.values()].map((p) => p.y)
    const width = Math.max(...xs) - Math.min(...xs)
    const height = Math.max(...ys) - Math.min(...ys)
    expect(width / height).toBeGreaterThan(0.3) // a block, not a ribbon
    expect(width / height).toBeLessThan(4)
  })

  it('builds 2,000 sites and 20,000 routes in well under a second, and reuses the layout while only fills change', () => {
    const network = bigNetwork(1000, 1000, 20000)
    const started = performance.now()
    const elements = buildElements(network)
    const elapsed = performance.now() - started

    expect(elements).toHaveLength(22000)
    expect(elapsed).toBeLessThan(1000)
    const refilled = { ...network, storages: network.storages.map((s) => storage(s.id, s.name, 40)) }
    expect(positionsFor(refilled)).toBe(positionsFor(network))
    const rerouted = { ...network, routes: network.routes.slice(1) }
    expect(positionsFor(rerouted)).not.toBe(positionsFor(network))
  })

  it('highlights the paths waste took, driving two-way routes either way and picking the shorter of two roads', () => {
    const network = caseNetwork()
    network.routes.push(betweenStorages(4, 1, 2, 30, false)) // a shorter road МНО1 → МНО2
    const index = edgeIndex(network.routes)

    // ОО1 → МНО1 → МНО2 → МНО5, and ОО1 → МНО1
    const highlight = pathHighlight(1, [[1, 2, 5], [1]], index)
    expect(highlight.nodes.sort()).toEqual(['o1', 's1', 's2', 's5'])
    expect(highlight.edges.sort()).toEqual(['r1', 'r3', 'r4'])
    // back along the two-way route: МНО5 → МНО2
    expect(index.get('s5>s2')?.edge).toBe('r3')
    expect(index.get('s2>s1')).toBeUndefined()
  })

  it.each([
    [50, '50 m'],
    [999, '999 m'],
    [1000, '1 km'],
    [1250, '1.3 km'],
  ])('writes %i metres as %s', (metres, text) => {
    expect(formatDistance(metres)).toBe(text)
  })
})
