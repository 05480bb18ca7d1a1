// The network view's drawing: fetches the subgraph the server chose (the container's data-src)
// and draws it with Cytoscape.js. The page works without it: the forms filter and the table
// lists the same nodes with links. Colours come from the legend's band pills (dashboard.css),
// so the drawing and every other page use one palette.
"use strict";
(function () {
  var box = document.getElementById("network-graph");
  if (!box || typeof window.cytoscape !== "function") {
    return;
  }
  var hover = document.createElement("p");
  hover.className = "graph-hover muted";
  hover.textContent = "Tap a node to open its page.";
  box.insertAdjacentElement("afterend", hover);

  function bandColours() {
    var colours = {};
    document.querySelectorAll(".graph-legend .band").forEach(function (pill) {
      var band = Array.prototype.find.call(pill.classList, function (name) {
        return name.indexOf("band-") === 0;
      });
      var style = window.getComputedStyle(pill);
      colours[band.slice(5)] = { fill: style.backgroundColor, ink: style.color };
    });
    return colours;
  }

  var DENSE = 60; // more nodes than this: smaller marks, names only once zoomed in
  var SHAPES = { company: "diamond", supplier: "round-rectangle", recruiter: "ellipse",
    worker_group: "triangle" };

  // Rows by distance from the buyer, drawn bottom up: the buyer at the foot, recruiters above
  // (the library's own "upward" direction squashes the rows). Past a few dozen nodes the rows
  // grow too wide for a screen, so they become rings around the buyer instead.
  function layout(count, company) {
    var rings = count > DENSE;
    return {
      name: "breadthfirst",
      directed: false,
      circle: rings,
      roots: company.length ? ["n" + company[0].id] : undefined,
      spacingFactor: rings ? 1.2 : 1.1,
      padding: 16,
      transform: function (node, position) {
        return rings ? position : { x: position.x, y: -position.y };
      }
    };
  }

  function draw(data) {
    var colours = bandColours();
    var fallback = colours.insufficient_data || { fill: "#f2f2f2", ink: "#1a1a1a" };
    var elements = data.nodes.map(function (node) {
      var colour = colours[node.band] || fallback;
      return { group: "nodes", data: {
        id: "n" + node.id, label: node.name, url: node.url, band: node.band, kind: node.kind,
        fill: colour.fill, shape: SHAPES[node.kind] || "ellipse",
        focus: node.id === data.focus ? 1 : 0,
        describe: node.name + " · " + node.kind.replace("_", " ") + " · " + node.country +
          " · " + node.band.replace("_", " ") + " · exposure " + node.exposure
      } };
    }).concat(data.edges.map(function (edge, index) {
      return { group: "edges", data: {
        id: "e" + index, source: "n" + edge.source, target: "n" + edge.target, kind: edge.kind
      } };
    }));
    box.textContent = "";
    var company = data.nodes.filter(function (node) { return node.kind === "company"; });
    var dense = data.nodes.length > DENSE;
    var size = dense ? 12 : 22;
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 3,
      style: [
        { selector: "node", style: {
          "background-color": "data(fill)", shape: "data(shape)", label: "data(label)",
          "border-width": 1, "border-color": "#4d4d4d", width: size, height: size,
          "font-size": dense ? 5 : 11, "text-valign": "bottom", "text-margin-y": 3, color: "#1a1a1a",
          "text-wrap": "ellipsis", "text-max-width": 120, "min-zoomed-font-size": 9
        } },
        { selector: "node[band = 'insufficient_data']", style: {
          "border-style": "dashed", "border-width": 2, "border-color": "#767676"
        } },
        { selector: "node[kind = 'company']", style: { width: size * 1.6, height: size * 1.6 } },
        { selector: "node[focus = 1]", style: {
          "border-width": 4, "border-color": "#1f3a5f", "border-style": "solid"
        } },
        { selector: "edge", style: {
          width: 1.5, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1",
          "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8
        } },
        { selector: "edge[kind = 'refers_to'], edge[kind = 'recruits_for']", style: {
          "line-color": "#0b4f8a", "target-arrow-color": "#0b4f8a"
        } },
        { selector: "edge[kind = 'refers_to']", style: { "line-style": "dashed" } }
      ],
      layout: layout(data.nodes.length, company)
    });
    cy.on("tap", "node", function (event) {
      window.location.assign(event.target.data("url"));
    });
    cy.on("mouseover", "node", function (event) {
      hover.textContent = event.target.data("describe");
      box.classList.add("pointing");
    });
    cy.on("mouseout", "node", function () { box.classList.remove("pointing"); });
    box.dataset.rendered = String(cy.nodes().length);
    window.fairpathGraph = { cy: cy, data: data };
  }

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      box.dataset.failed = "1";
      box.textContent = "";
      var message = document.createElement("p");
      message.className = "errors";
      message.textContent = "The drawing could not be loaded (" + error.message +
        "); the table below lists the same nodes.";
      box.appendChild(message);
    });
})();
