/** Shapes of the API's answers (see /docs); dates are ISO strings as the API sends them. */

export interface Page<T> {
  count: number
  items: T[]
}

export interface AuthorRef {
  id: number
  name: string
}

export interface Book {
  id: number
  title: string
  author: string
  authors: AuthorRef[]
  published_on: string
  rating: number | null
  rating_count: number
  created_at: string
  updated_at: string
}

export interface BookDetail extends Book {
  my_rating: number | null
}

export interface BookInput {
  title: string
  published_on: string
  author_ids: number[]
}

export interface Author {
  id: number
  name: string
  bio: string
  books_count: number
  created_at: string
  updated_at: string
}

export interface TopBook {
  id: number
  title: string
  published_on: string
  rating: number | null
  rating_count: number
}

export interface AuthorDetail extends Author {
  top_books: TopBook[]
}

export interface AuthorInput {
  name: string
  bio: string
}

export interface Rating {
  score: number
  rating: number | null
  rating_count: number
}

export interface Tokens {
  access: string
  refresh: string
}

export interface User {
  id: number
  username: string
  date_joined: string
}

export const BOOK_ORDERINGS = ['title', '-title', 'published_on', '-published_on', 'rating', '-rating'] as const
export type BookOrdering = (typeof BOOK_ORDERINGS)[number]

export interface BookQuery {
  limit: number
  offset: number
  search?: string
  author?: number
  published_after?: string
  published_before?: string
  ordering?: BookOrdering
}
