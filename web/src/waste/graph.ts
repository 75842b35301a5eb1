/**
 * The waste network as graph elements for Cytoscape.js, and where to put them.
 *
 * The positions come from a layered layout computed here in linear time (breadth-first from the organizations:
 * each storage sits in the column of its fewest hops from one, columns wrap so the picture stays roughly square,
 * and each column is ordered by the rows of its predecessors to keep crossings down). It is computed once per
 * network shape and cached, and Cytoscape only draws the given (`preset`) positions: 2,000 sites and 20,000
 * routes take milliseconds here, where a force-directed layout would run for seconds on the main thread.
 */
import { routeEnds, WASTE_TYPES, type Network, type PerType, type Room, type Route, type WasteType } from './types'

export const organizationNode = (id: number) => `o${id}`
export const storageNode = (id: number) => `s${id}`
export const routeEdge = (id: number) => `r${id}`

export const TYPE_COLORS: Record<WasteType, string> = { bio: '#2e7d32', glass: '#1565c0', plastic: '#c2410c' }

/** Above this many elements the graph is drawn the cheap way (straight edges, no edge labels until zoomed in). */
export const LARGE_GRAPH = 1500

export interface Position {
  x: number
  y: number
}

export interface NodeElement {
  group: 'nodes'
  data: { id: string; label: string; kind: 'organization' | 'storage'; siteId: number; bars?: string }
  position: Position
  classes: string
}

export interface EdgeElement {
  group: 'edges'
  data: { id: string; source: string; target: string; label: string; routeId: number; distance: number }
  classes: string
}

export type GraphElement = NodeElement | EdgeElement

const routeSource = (route: Route): string => routeEnds(route)[0]
const routeTarget = (route: Route): string => routeEnds(route)[1]

/** "100 m", "1.2 km". */
export function formatDistance(metres: number): string {
  if (metres < 1000) return `${metres} m`
  const km = metres / 1000
  return `${Number.isInteger(km) ? km : km.toFixed(1)} km`
}

/** One bar per equipped type (in the API's type order), filled to stored/capacity, as an SVG data URI. */
export function fillBars(room: PerType<Room>): string | undefined {
  const types = WASTE_TYPES.filter((type) => room[type] !== undefined)
  if (!types.length) return undefined
  const width = 56
  const height = 40
  const pad = 6
  const gap = 4
  const barWidth = (width - 2 * pad - gap * (types.length - 1)) / types.length
  const barHeight = height - 2 * pad
  const bars = types.map((type, index) => {
    const { capacity, stored } = room[type] as Room
    const x = pad + index * (barWidth + gap)
    // Twentieths, so a network has few distinct pictures to decode; anything stored shows at least one step.
    let steps = capacity > 0 ? Math.round((stored / capacity) * 20) : 0
    if (stored > 0 && steps === 0) steps = 1
    if (stored < capacity && steps === 20) steps = 19
    const filled = (barHeight * steps) / 20
    return (
      `<rect x="${x}" y="${pad}" width="${barWidth}" height="${barHeight}" fill="#e5e7eb" stroke="#8c959f" stroke-width="0.5"/>` +
      `<rect x="${x}" y="${pad + barHeight - filled}" width="${barWidth}" height="${filled}" fill="${TYPE_COLORS[type]}"/>`
    )
  })
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars.join('')}</svg>`
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`
}

/** The shape of the network (which sites and routes), not their fill: the key of the cached layout. */
export function networkShape(network: Network): string {
  const routes = network.routes.map((route) => `${route.id}:${routeSource(route)}>${routeTarget(route)}:${route.two_way ? 2 : 1}`)
  return [
    network.organizations.map((organization) => organization.id).join(','),
    network.storages.map((storage) => storage.id).join(','),
    routes.join(','),
  ].join('|')
}

/** Layered positions (see the module's comment); every site gets one, unreachable storages in a last column. */
export function layeredLayout(network: Network): Map<string, Position> {
  const next = new Map<string, string[]>()
  const link = (from: string, to: string) => {
    const list = next.get(from)
    if (list) list.push(to)
    else next.set(from, [to])
  }
  for (const route of network.routes) {
    link(routeSource(route), routeTarget(route))
    if (route.two_way) link(routeTarget(route), routeSource(route))
  }

  // Breadth-first from every organization at once: depth = fewest hops from any organization.
  const depth = new Map<string, number>()
  const layers: string[][] = [network.organizations.map((organization) => organizationNode(organization.id))]
  for (const id of layers[0] ?? []) depth.set(id, 0)
  for (let level = 0; (layers[level]?.length ?? 0) > 0; level += 1) {
    const following: string[] = []
    for (const id of layers[level] ?? []) {
      for (const to of next.get(id) ?? []) {
        if (!depth.has(to)) {
          depth.set(to, level + 1)
          following.push(to)
        }
      }
    }
    if (following.length) layers.push(following)
    else break
  }
  const unreached = network.storages.map((storage) => storageNode(storage.id)).filter((id) => !depth.has(id))
  if (unreached.length) layers.push(unreached)

  // Order each layer by the mean row of its predecessors in the layer before (a one-pass barycenter heuristic).
  const row = new Map<string, number>()
  const previous = new Map<string, number[]>()
  layers.forEach((layer, level) => {
    if (level > 0) {
      const score = (id: string) => {
        const rows = previous.get(id)
        return rows?.length ? rows.reduce((sum, value) => sum + value, 0) / rows.length : Number.MAX_SAFE_INTEGER
      }
      const scores = new Map(layer.map((id) => [id, score(id)]))
      layer.sort((a, b) => (scores.get(a) ?? 0) - (scores.get(b) ?? 0))
    }
    layer.forEach((id, index) => {
      row.set(id, index)
      for (const to of next.get(id) ?? []) {
        if (depth.get(to) === level + 1) {
          const rows = previous.get(to)
          if (rows) rows.push(index)
          else previous.set(to, [index])
        }
      }
    })
  })

  // Columns of at most `rows` sites, so 2,000 sites make a block rather than a few endless columns.
  const total = network.organizations.length + network.storages.length
  const rows = Math.max(6, Math.ceil(Math.sqrt(total) * 1.2))
  const columnGap = 170
  const rowGap = 100
  const positions = new Map<string, Position>()
  let column = 0
  for (const layer of layers) {
    for (let start = 0; start < layer.length; start += rows) {
      const slice = layer.slice(start, start + rows)
      slice.forEach((id, index) => {
        positions.set(id, { x: column * columnGap, y: (index - (slice.length - 1) / 2) * rowGap })
      })
      column += 1
    }
  }
  return positions
}

const cache = new Map<string, Map<string, Position>>()

/** `layeredLayout`, computed once per network shape (a fill changing keeps every site where it was). */
export function positionsFor(network: Network): Map<string, Position> {
  const shape = networkShape(network)
  let positions = cache.get(shape)
  if (!positions) {
    positions = layeredLayout(network)
    cache.clear() // one network at a time is shown
    cache.set(shape, positions)
  }
  return positions
}

export function storageData(storage: Network['storages'][number]): NodeElement['data'] {
  return { id: storageNode(storage.id), label: storage.name, kind: 'storage', siteId: storage.id, bars: fillBars(storage.room) }
}

/**
 * Nodes (organizations, storages with their fill bars) and edges (routes, two-way ones marked) with positions;
 * `routes: false` leaves the edges out (a large network's routes are drawn by routeLayer.ts).
 */
export function buildElements(
  network: Network,
  positions = positionsFor(network),
  { routes = true }: { routes?: boolean } = {},
): GraphElement[] {
  const at = (id: string) => positions.get(id) ?? { x: 0, y: 0 }
  const nodes: NodeElement[] = [
    ...network.organizations.map((organization) => {
      const id = organizationNode(organization.id)
      return {
        group: 'nodes' as const,
        data: { id, label: organization.name, kind: 'organization' as const, siteId: organization.id },
        position: { ...at(id) },
        classes: 'organization',
      }
    }),
    ...network.storages.map((storage) => {
      const data = storageData(storage)
      return { group: 'nodes' as const, data, position: { ...at(data.id) }, classes: 'storage' }
    }),
  ]
  if (!routes) return nodes
  const known = new Set(nodes.map((node) => node.data.id))
  const edges: EdgeElement[] = network.routes
    .filter((route) => known.has(routeSource(route)) && known.has(routeTarget(route)))
    .map((route) => ({
      group: 'edges' as const,
      data: {
        id: routeEdge(route.id),
        source: routeSource(route),
        target: routeTarget(route),
        label: route.two_way ? `⇄ ${formatDistance(route.distance_m)}` : formatDistance(route.distance_m),
        routeId: route.id,
        distance: route.distance_m,
      },
      classes: route.two_way ? 'route two-way' : 'route',
    }))
  return [...nodes, ...edges]
}

/** Edge lookup by direction: "o1>s2" → the shortest route that can be driven that way (two-way: both ways). */
export function edgeIndex(routes: Route[]): Map<string, { edge: string; distance: number }> {
  const index = new Map<string, { edge: string; distance: number }>()
  const put = (key: string, edge: string, distance: number) => {
    const known = index.get(key)
    if (!known || distance < known.distance) index.set(key, { edge, distance })
  }
  for (const route of routes) {
    put(`${routeSource(route)}>${routeTarget(route)}`, routeEdge(route.id), route.distance_m)
    if (route.two_way) put(`${routeTarget(route)}>${routeSource(route)}`, routeEdge(route.id), route.distance_m)
  }
  return index
}

export interface Highlight {
  nodes: string[]
  edges: string[]
}

/** The nodes and edges of the paths an organization's waste took: `paths` are the API's `path_ids` per storage. */
export function pathHighlight(
  organizationId: number,
  paths: number[][],
  index: Map<string, { edge: string; distance: number }>,
): Highlight {
  const nodes = new Set<string>([organizationNode(organizationId)])
  const edges = new Set<string>()
  for (const path of paths) {
    let from = organizationNode(organizationId)
    for (const storageId of path) {
      const to = storageNode(storageId)
      const found = index.get(`${from}>${to}`)
      if (found) edges.add(found.edge)
      nodes.add(to)
      from = to
    }
  }
  return { nodes: [...nodes], edges: [...edges] }
}
