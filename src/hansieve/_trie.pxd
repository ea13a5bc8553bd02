# The build-time trie of the native builders: words go in through a hash map from (node, symbol)
# to the child node, then `breadth_first` numbers the nodes so that a node's children are
# consecutive and, edges taken node by node in symbol order, edge j leads to node j + 1. Each
# builder lays out its own tables from that order (`_segment.pyx`: the dictionary trie).

from libc.stdint cimport uint32_t, uint64_t
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

cdef extern from *:
    """
    #include <algorithm>
    #include <unordered_map>
    #include <vector>
    struct hs_trie_edge { uint32_t parent; uint32_t sym; uint32_t child; };
    struct hs_trie {
        std::unordered_map<uint64_t, uint32_t> child_of;
        std::vector<hs_trie_edge> edges;
        uint32_t n_nodes = 1;   // node 0 is the root
        // The child of `node` by `sym`, added when missing; 0 once the trie holds 2**32 - 1 nodes.
        uint32_t child(uint32_t node, uint32_t sym) {
            uint64_t key = ((uint64_t)node << 32) | sym;
            auto it = child_of.find(key);
            if (it != child_of.end()) return it->second;
            if (n_nodes == 0xFFFFFFFFu) return 0;
            child_of.emplace(key, n_nodes);
            edges.push_back(hs_trie_edge{node, sym, n_nodes});
            return n_nodes++;
        }
        // Sorts the edges by (parent, symbol): node p's edges are then edges[begin[p]] up to
        // edges[begin[p + 1]]. order[new id] = old id, breadth-first, children in symbol order.
        void breadth_first(std::vector<uint32_t>& begin, std::vector<uint32_t>& order) {
            std::sort(edges.begin(), edges.end(), [](const hs_trie_edge& a, const hs_trie_edge& b) {
                return a.parent < b.parent || (a.parent == b.parent && a.sym < b.sym);
            });
            begin.assign(n_nodes + (size_t)1, 0);
            for (const hs_trie_edge& e : edges) begin[e.parent + (size_t)1]++;
            for (uint32_t s = 0; s < n_nodes; s++) begin[s + (size_t)1] += begin[s];
            order.clear();
            order.reserve(n_nodes);
            order.push_back(0);
            for (size_t s = 0; s < order.size(); s++)
                for (uint32_t j = begin[order[s]]; j < begin[order[s] + (size_t)1]; j++)
                    order.push_back(edges[j].child);
        }
    };
    """
    cdef struct hs_trie_edge:
        uint32_t parent
        uint32_t sym
        uint32_t child
    cdef cppclass hs_trie:
        unordered_map[uint64_t, uint32_t] child_of
        vector[hs_trie_edge] edges
        uint32_t n_nodes
        uint32_t child(uint32_t node, uint32_t sym) except +
        void breadth_first(vector[uint32_t]& begin, vector[uint32_t]& order) except + nogil
