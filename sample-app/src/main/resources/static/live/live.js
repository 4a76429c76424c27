// The mongolb sample's live view: polls the starter's mongodblb Actuator endpoint and draws,
// per mongos (serviceId), its share of the commands, its connections, its pool clears and
// the recent events. On the embedded default it also lists the fronts, with buttons to stop
// and start each one. Plain JavaScript; the chart is uPlot, from its WebJar.
(function () {
	'use strict';

	const POLL_MILLIS = 1000;
	// The chart's span, and the sliding window each point's share is computed over.
	const HISTORY_SECONDS = 300;
	const SHARE_WINDOW_SECONDS = 10;
	const EVENTS_SHOWN = 40;
	const MARKER_TYPES = new Set(['POOL_CLEARED', 'SERVICE_EVICTED', 'SERVICE_EXPIRED']);
	const PALETTE = ['#1a73e8', '#e8710a', '#188038', '#d93025', '#9334e6', '#12b5cb', '#f9ab00', '#5f6368'];

	const state = {
		embedded: false,
		fronts: [],
		frontsKey: '',
		// {t: seconds, totals: Map serviceId -> commands succeeded + failed}
		samples: [],
		// key -> {t, type, serviceId}
		markers: new Map(),
		colors: new Map(),
		chart: null,
		chartServices: [],
		polls: 0,
		busy: false,
	};

	const $ = (id) => document.getElementById(id);

	function colorOf(serviceId) {
		if (!state.colors.has(serviceId)) {
			state.colors.set(serviceId, PALETTE[state.colors.size % PALETTE.length]);
		}
		return state.colors.get(serviceId);
	}

	function element(tag, attributes, text) {
		const node = document.createElement(tag);
		Object.entries(attributes || {}).forEach(([name, value]) => {
			if (name === 'className') {
				node.className = value;
			}
			else {
				node.setAttribute(name, value);
			}
		});
		if (text !== undefined && text !== null) {
			node.textContent = String(text);
		}
		return node;
	}

	async function getJson(path) {
		const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
		if (!response.ok) {
			throw new Error(path + ' answered ' + response.status);
		}
		return response.json();
	}

	async function postJson(path) {
		const response = await fetch(path, { method: 'POST', headers: { Accept: 'application/json' } });
		const body = await response.json();
		if (!response.ok) {
			throw new Error(body.detail || (path + ' answered ' + response.status));
		}
		return body;
	}

	// The first load-balanced client of the endpoint (the sample has one MongoClient).
	function loadBalancedClient(endpoint) {
		const clients = Object.entries(endpoint.clients || {});
		const found = clients.find(([, client]) => client.loadBalanced);
		return found ? { name: found[0], client: found[1] } : { name: clients.length ? clients[0][0] : null, client: null };
	}

	function serviceState(serviceId) {
		if (!state.embedded) {
			return 'seen';
		}
		const front = state.fronts.find((candidate) => candidate.serviceId === serviceId);
		if (!front) {
			// A restarted front's previous serviceId: the starter keeps it until it expires.
			return 'replaced';
		}
		return front.running ? 'running' : 'stopped';
	}

	function frontOf(serviceId) {
		const front = state.fronts.find((candidate) => candidate.serviceId === serviceId);
		return front ? front.index : null;
	}

	function record(client) {
		const t = Date.parse(client.takenAt) / 1000;
		const totals = new Map();
		client.services.forEach((service) => {
			totals.set(service.serviceId, service.commands.succeeded + service.commands.failed);
			colorOf(service.serviceId);
		});
		state.samples.push({ t, totals });
		while (state.samples.length && state.samples[0].t < t - HISTORY_SECONDS - SHARE_WINDOW_SECONDS) {
			state.samples.shift();
		}
		client.recentEvents.forEach((event) => {
			if (MARKER_TYPES.has(event.type)) {
				const key = event.time + '|' + event.type + '|' + event.serviceId;
				state.markers.set(key, { t: Date.parse(event.time) / 1000, type: event.type, serviceId: event.serviceId });
			}
		});
		state.markers.forEach((marker, key) => {
			if (marker.t < t - HISTORY_SECONDS) {
				state.markers.delete(key);
			}
		});
	}

	// The share of each service among the commands of the window that ends at sample k.
	function shares(k, services) {
		const end = state.samples[k];
		let j = k;
		while (j > 0 && state.samples[j - 1].t >= end.t - SHARE_WINDOW_SECONDS) {
			j--;
		}
		const start = state.samples[j === k ? Math.max(0, k - 1) : j];
		const deltas = services.map((id) => {
			const now = end.totals.get(id);
			if (now === undefined) {
				return null;
			}
			const before = start.totals.has(id) ? start.totals.get(id) : 0;
			return Math.max(0, now - before);
		});
		const sum = deltas.reduce((total, delta) => total + (delta || 0), 0);
		return deltas.map((delta) => (delta === null || sum === 0) ? null : (100 * delta) / sum);
	}

	function shareOverHistory(serviceId) {
		if (state.samples.length < 2) {
			return null;
		}
		const first = state.samples[0];
		const last = state.samples[state.samples.length - 1];
		let sum = 0;
		let mine = 0;
		last.totals.forEach((total, id) => {
			const delta = Math.max(0, total - (first.totals.get(id) || 0));
			sum += delta;
			if (id === serviceId) {
				mine = delta;
			}
		});
		return sum === 0 ? null : (100 * mine) / sum;
	}

	function markerPlugin() {
		return {
			hooks: {
				draw: [(u) => {
					const ctx = u.ctx;
					const top = u.bbox.top;
					const bottom = u.bbox.top + u.bbox.height;
					const [min, max] = [u.scales.x.min, u.scales.x.max];
					ctx.save();
					ctx.lineWidth = 2 * devicePixelRatio;
					ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
					state.markers.forEach((marker) => {
						if (marker.t < min || marker.t > max) {
							return;
						}
						const x = Math.round(u.valToPos(marker.t, 'x', true));
						const color = marker.serviceId ? colorOf(marker.serviceId) : '#5f6368';
						ctx.strokeStyle = color;
						ctx.fillStyle = color;
						ctx.setLineDash(marker.type === 'POOL_CLEARED' ? [6, 4] : [2, 3]);
						ctx.beginPath();
						ctx.moveTo(x, top);
						ctx.lineTo(x, bottom);
						ctx.stroke();
						ctx.fillText(marker.type === 'POOL_CLEARED' ? 'pool cleared' : 'evicted', x + 4, top + 12 * devicePixelRatio);
					});
					ctx.restore();
				}],
			},
		};
	}

	function chartWidth() {
		return Math.max(320, $('chart').clientWidth - 16);
	}

	function drawChart() {
		if (typeof uPlot === 'undefined' || state.samples.length === 0) {
			return;
		}
		// Every service of the chart's span, in the order first seen.
		const services = [];
		state.samples.forEach((sample) => sample.totals.forEach((_, id) => {
			if (!services.includes(id)) {
				services.push(id);
			}
		}));
		const last = state.samples[state.samples.length - 1].t;
		const shown = [];
		state.samples.forEach((sample, k) => {
			if (sample.t >= last - HISTORY_SECONDS) {
				shown.push(k);
			}
		});
		const data = [shown.map((k) => state.samples[k].t)];
		services.forEach(() => data.push([]));
		shown.forEach((k) => shares(k, services).forEach((share, i) => data[i + 1].push(share)));
		if (!state.chart || state.chartServices.join() !== services.join()) {
			if (state.chart) {
				state.chart.destroy();
			}
			state.chartServices = services;
			state.chart = new uPlot({
				width: chartWidth(),
				height: 240,
				scales: { x: { time: true }, y: { range: [0, 100] } },
				axes: [{}, { label: '% of commands', values: (u, ticks) => ticks.map((tick) => tick + '%') }],
				series: [{}].concat(services.map((id) => ({
					label: id.slice(-8),
					stroke: colorOf(id),
					width: 2,
					spanGaps: false,
					value: (u, v) => (v === null || v === undefined) ? '–' : v.toFixed(0) + '%',
				}))),
				plugins: [markerPlugin()],
			}, data, $('chart'));
		}
		else {
			state.chart.setData(data);
		}
	}

	function figure(list, label, value, className) {
		list.appendChild(element('dt', {}, label));
		const dd = element('dd', { className: className || label.replace(/[^a-z]+/gi, '-').toLowerCase() }, value);
		list.appendChild(dd);
		return dd;
	}

	function renderServices(client) {
		const container = $('services');
		container.replaceChildren();
		client.services.forEach((service) => {
			const status = serviceState(service.serviceId);
			const card = element('div', {
				className: 'service',
				'data-service-id': service.serviceId,
				'data-state': status,
				style: '--color: ' + colorOf(service.serviceId),
			});
			const title = element('div');
			title.appendChild(element('span', { className: 'id' }, service.serviceId));
			if (status !== 'seen') {
				const label = status === 'replaced' ? 'replaced (front restarted)'
					: 'front ' + frontOf(service.serviceId) + ': ' + status;
				title.appendChild(element('span', { className: 'badge ' + status }, label));
			}
			card.appendChild(title);
			const list = element('dl', { className: 'figures' });
			const share = shareOverHistory(service.serviceId);
			figure(list, 'share (5 min)', share === null ? '–' : share.toFixed(0) + '%', 'share');
			figure(list, 'open connections', service.connections.open, 'open');
			figure(list, 'checked out', service.connections.checkedOut, 'checked-out');
			figure(list, 'past leak threshold', service.connections.pastLeakThreshold,
				service.connections.pastLeakThreshold > 0 ? 'past-threshold alert' : 'past-threshold');
			figure(list, 'commands ok / failed', service.commands.succeeded + ' / ' + service.commands.failed, 'commands');
			figure(list, 'pool clears', service.poolClears, service.poolClears > 0 ? 'pool-clears alert' : 'pool-clears');
			if (service.lastPoolClear) {
				figure(list, 'last pool clear', new Date(service.lastPoolClear).toLocaleTimeString(), 'last-pool-clear');
			}
			card.appendChild(list);
			if (service.lastError) {
				card.appendChild(element('div', { className: 'muted last-error' }, 'last error: ' + service.lastError));
			}
			container.appendChild(card);
		});
		$('client-figures').textContent = '(' + client.services.length + ' tracked, ' + client.evictedServices
			+ ' evicted or expired, ' + client.untrackedServices + ' untracked; ' + client.openConnections
			+ ' connections open)';
	}

	function renderEvents(client) {
		const body = $('events').querySelector('tbody');
		body.replaceChildren();
		client.recentEvents.slice(-EVENTS_SHOWN).reverse().forEach((event) => {
			const row = element('tr', { className: event.type });
			row.appendChild(element('td', {}, new Date(event.time).toLocaleTimeString()));
			row.appendChild(element('td', {}, event.type));
			const id = element('td', { className: 'id' }, event.serviceId || '');
			if (event.serviceId) {
				id.style.color = colorOf(event.serviceId);
			}
			row.appendChild(id);
			row.appendChild(element('td', {}, event.description));
			body.appendChild(row);
		});
	}

	function renderFronts() {
		const container = $('fronts');
		container.replaceChildren();
		state.fronts.forEach((front) => {
			const row = element('div', {
				className: 'front',
				'data-front': front.index,
				'data-service-id': front.serviceId,
				'data-running': String(front.running),
				style: '--color: ' + colorOf(front.serviceId),
			});
			row.appendChild(element('strong', {}, 'front ' + front.index));
			row.appendChild(element('span', { className: 'badge ' + (front.running ? 'running' : 'stopped') },
				front.running ? 'running' : 'stopped'));
			row.appendChild(element('div', { className: 'id' }, front.serviceId));
			row.appendChild(element('div', { className: 'muted' }, 'load-balancer port ' + front.loadBalancerPort));
			const stop = element('button', { type: 'button', className: 'stop' }, 'Stop');
			stop.disabled = !front.running;
			stop.addEventListener('click', () => frontAction(front.index, 'stop'));
			const start = element('button', { type: 'button', className: 'start' }, 'Start');
			start.disabled = front.running;
			start.addEventListener('click', () => frontAction(front.index, 'start'));
			row.appendChild(stop);
			row.appendChild(document.createTextNode(' '));
			row.appendChild(start);
			container.appendChild(row);
		});
	}

	// Rendered again only when they changed: a button replaced under the pointer would lose
	// the click.
	function setFronts(fronts) {
		const key = JSON.stringify(fronts);
		if (key !== state.frontsKey) {
			state.fronts = fronts;
			state.frontsKey = key;
			renderFronts();
		}
	}

	async function frontAction(index, action) {
		try {
			const front = await postJson('/api/fronts/' + index + '/' + action);
			setFronts(state.fronts.map((candidate) => candidate.index === front.index ? front : candidate));
			poll();
		}
		catch (failure) {
			$('poll-status').textContent = 'front ' + index + ' ' + action + ': ' + failure.message;
		}
	}

	function renderTraffic(traffic) {
		const button = $('traffic-toggle');
		button.disabled = false;
		button.dataset.running = String(traffic.running);
		button.classList.toggle('on', traffic.running);
		button.textContent = traffic.running ? 'Stop traffic' : 'Generate traffic';
		$('traffic-status').textContent = traffic.running || traffic.succeeded + traffic.failed > 0
			? traffic.succeeded + ' operations succeeded, ' + traffic.failed + ' failed'
				+ (traffic.running ? ' (' + traffic.burst + ' concurrent every ' + traffic.tickMillis + ' ms)' : '')
			: '';
	}

	async function toggleTraffic() {
		const button = $('traffic-toggle');
		try {
			renderTraffic(await postJson('/api/traffic/' + (button.dataset.running === 'true' ? 'stop' : 'start')));
		}
		catch (failure) {
			$('poll-status').textContent = 'traffic: ' + failure.message;
		}
	}

	async function poll() {
		if (state.busy) {
			return;
		}
		state.busy = true;
		try {
			const [endpoint, fronts, traffic] = await Promise.all([
				getJson('/actuator/mongodblb'),
				state.embedded ? getJson('/api/fronts') : Promise.resolve(null),
				getJson('/api/traffic'),
			]);
			if (fronts) {
				setFronts(fronts.fronts);
			}
			renderTraffic(traffic);
			const { name, client } = loadBalancedClient(endpoint);
			if (!client) {
				const reason = name ? endpoint.clients[name].reason : 'no MongoClient';
				$('mode').textContent = 'Not in load-balanced mode: ' + reason;
				return;
			}
			record(client);
			renderServices(client);
			renderEvents(client);
			drawChart();
			state.polls++;
			document.body.dataset.polls = String(state.polls);
			$('poll-status').textContent = 'updated ' + new Date(client.takenAt).toLocaleTimeString();
		}
		catch (failure) {
			$('poll-status').textContent = 'cannot read the endpoint: ' + failure.message;
		}
		finally {
			state.busy = false;
		}
	}

	async function init() {
		try {
			const info = await getJson('/actuator/info');
			const mongodb = info.mongodb || {};
			state.embedded = mongodb.mode === 'embedded';
			$('mode').textContent = 'Mode: ' + (mongodb.mode || 'unknown') + ', LoadBalancer '
				+ (mongodb.loadBalancer || '–') + (state.embedded ? ' (the in-process PROXY ' + mongodb.proxyProtocol
					+ ' balancer in front of ' + (mongodb.serviceIds || []).length + ' fronts)' : '');
			$('fronts-section').hidden = !state.embedded;
			document.body.dataset.mode = mongodb.mode || 'unknown';
		}
		catch (failure) {
			$('mode').textContent = 'Cannot read /actuator/info: ' + failure.message;
		}
		$('traffic-toggle').addEventListener('click', toggleTraffic);
		window.addEventListener('resize', () => {
			if (state.chart) {
				state.chart.setSize({ width: chartWidth(), height: 240 });
			}
		});
		await poll();
		setInterval(poll, POLL_MILLIS);
	}

	init();
}());
