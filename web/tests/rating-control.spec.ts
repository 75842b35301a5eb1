import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import RatingControl from '@/components/RatingControl.vue'

import { deferred, fakeApi } from './fakeApi'

afterEach(() => vi.unstubAllGlobals())

function radios(wrapper: ReturnType<typeof mount>) {
  return wrapper.findAll('input[type="radio"]')
}

function names(wrapper: ReturnType<typeof mount>) {
  return radios(wrapper).map((radio) => wrapper.find(`label[for="${radio.attributes('id')}"]`).text().replace('★', '').trim())
}

describe('RatingControl', () => {
  it('is a group "Your score" of five radios named 1 star … 5 stars, with my score checked', () => {
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: 4 } })

    expect(wrapper.find('fieldset legend').text()).toBe('Your score')
    expect(names(wrapper)).toEqual(['1 star', '2 stars', '3 stars', '4 stars', '5 stars'])
    // One radio group (one name): the browser moves and chooses with the arrow keys.
    expect(new Set(radios(wrapper).map((radio) => radio.attributes('name')))).toEqual(new Set(['score-7']))
    expect(radios(wrapper).map((radio) => (radio.element as HTMLInputElement).checked)).toEqual([false, false, false, true, false])
    expect(wrapper.find('label span[aria-hidden="true"]').exists()).toBe(true)
  })

  it('sets the score with PUT and hands the new mean to the page', async () => {
    const server = fakeApi({ 'PUT /books/7/rating': () => ({ status: 200, body: { score: 5, rating: 4.5, rating_count: 2 } }) })
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: null } })

    await radios(wrapper)[4]!.setValue(true)
    await flushPromises()

    expect(server.calls[0]?.body).toEqual({ score: 5 })
    expect(wrapper.emitted('rated')).toEqual([[{ score: 5, rating: 4.5, rating_count: 2 }]])
    expect(wrapper.find('[role="status"]').text()).toBe('Your score is 5 stars.')
    expect(wrapper.find('button').attributes('disabled')).toBeUndefined()
  })

  it('sends choices one at a time, so the last one chosen is the one the server keeps', async () => {
    const first = deferred<{ status: number; body: unknown }>()
    const server = fakeApi({
      'PUT /books/7/rating': (call) => {
        const score = (call.body as { score: number }).score
        return score === 2 ? first.promise : { status: 200, body: { score, rating: score, rating_count: 1 } }
      },
    })
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: null } })

    await radios(wrapper)[1]!.setValue(true)
    await radios(wrapper)[3]!.setValue(true)
    await radios(wrapper)[4]!.setValue(true)
    expect(server.calls.map((call) => call.body)).toEqual([{ score: 2 }])

    first.resolve({ status: 200, body: { score: 2, rating: 2, rating_count: 1 } })
    await flushPromises()

    expect(server.calls.map((call) => call.body)).toEqual([{ score: 2 }, { score: 5 }])
    expect(wrapper.emitted('rated')).toEqual([[{ score: 5, rating: 5, rating_count: 1 }]])
    expect((radios(wrapper)[4]!.element as HTMLInputElement).checked).toBe(true)
  })

  it('withdraws the score with DELETE', async () => {
    const server = fakeApi({ 'DELETE /books/7/rating': () => ({ status: 204 }) })
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: 3 } })

    await wrapper.find('button').trigger('click')
    await flushPromises()

    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual(['DELETE /books/7/rating'])
    expect(wrapper.emitted('withdrawn')).toHaveLength(1)
    expect(radios(wrapper).some((radio) => (radio.element as HTMLInputElement).checked)).toBe(false)
    expect(wrapper.find('button').attributes('disabled')).toBeDefined()
  })

  it('cannot withdraw a score that was never given', () => {
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: null } })
    expect(wrapper.find('button').text()).toBe('Withdraw my score')
    expect(wrapper.find('button').attributes('disabled')).toBeDefined()
  })

  it('puts the saved score back and says why when the server refuses', async () => {
    fakeApi({ 'PUT /books/7/rating': () => ({ status: 404, body: { detail: 'Book 7 not found.', code: 'book_not_found' } }) })
    const wrapper = mount(RatingControl, { props: { bookId: 7, myRating: 2 } })

    await radios(wrapper)[4]!.setValue(true)
    await flushPromises()

    expect(wrapper.find('[role="alert"]').text()).toBe('Book 7 not found.')
    expect((radios(wrapper)[1]!.element as HTMLInputElement).checked).toBe(true)
    expect(wrapper.emitted('rated')).toBeUndefined()
  })
})
