import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'

import { useAuthStore } from '@/stores/auth'

// Views load on demand, so the first page downloads only what it shows.
export const routes = [
  { path: '/', redirect: { name: 'books' } },
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'Log in' } },
  { path: '/register', name: 'register', component: () => import('@/views/RegisterView.vue'), meta: { public: true, title: 'Create an account' } },
  { path: '/books', name: 'books', component: () => import('@/views/BooksView.vue'), meta: { title: 'Books' } },
  { path: '/books/new', name: 'book-new', component: () => import('@/views/BookFormView.vue'), meta: { title: 'New book' } },
  { path: '/books/:id(\\d+)', name: 'book', component: () => import('@/views/BookView.vue'), props: true, meta: { title: 'Book' } },
  { path: '/books/:id(\\d+)/edit', name: 'book-edit', component: () => import('@/views/BookFormView.vue'), props: true, meta: { title: 'Edit book' } },
  { path: '/authors', name: 'authors', component: () => import('@/views/AuthorsView.vue'), meta: { title: 'Authors' } },
  { path: '/authors/new', name: 'author-new', component: () => import('@/views/AuthorFormView.vue'), meta: { title: 'New author' } },
  { path: '/authors/:id(\\d+)', name: 'author', component: () => import('@/views/AuthorView.vue'), props: true, meta: { title: 'Author' } },
  { path: '/authors/:id(\\d+)/edit', name: 'author-edit', component: () => import('@/views/AuthorFormView.vue'), props: true, meta: { title: 'Edit author' } },
  // Deals and waste are readable by anyone (writes ask for a login on the page); pets use their own API key.
  { path: '/deals', name: 'deals', component: () => import('@/views/DealsView.vue'), meta: { public: true, title: 'Deals' } },
  { path: '/waste', name: 'waste', component: () => import('@/views/WasteView.vue'), meta: { public: true, title: 'Waste' } },
  { path: '/pets', name: 'pets', component: () => import('@/views/PetsView.vue'), meta: { public: true, title: 'Pets' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { public: true, title: 'Not found' } },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

/** Where the login page sends the user afterwards: a path of this app only, never another site. */
export function returnPath(route: RouteLocationNormalized): string {
  const target = route.query.redirect
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/books'
}

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (!to.meta.public && !auth.isLoggedIn) return { name: 'login', query: { redirect: to.fullPath } }
  if ((to.name === 'login' || to.name === 'register') && auth.isLoggedIn) return returnPath(to)
  return true
})

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? 'Books')} · Books`
})
