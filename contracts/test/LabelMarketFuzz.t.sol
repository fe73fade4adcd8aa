// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelMarketBase} from "../src/LabelMarketBase.sol";
import {MarketBase} from "./utils/MarketBase.sol";
import {vm} from "./utils/Vm.sol";

/// @title Fuzz tests on amounts and label arrays, checked against a reference model
contract LabelMarketFuzzTest is MarketBase {
    function testFuzzStakeUnstake(uint256 amount, uint256 back) public {
        address a = annotators[0];
        amount = 1 + amount % (WALLET - INITIAL_STAKE);
        back = 1 + back % (INITIAL_STAKE + amount);
        vm.prank(a);
        market.stake(amount);
        vm.prank(a);
        market.unstake(back);
        assertEq(market.totalStake(a), INITIAL_STAKE + amount - back, "stake");
        assertEq(token.balanceOf(a), WALLET - INITIAL_STAKE - amount + back, "wallet");
        _checkBooks(0);
    }

    function testFuzzCreateAndCancel(uint256 n, uint256 r, uint256 v, uint256 reward, uint256 reviewReward) public {
        LabelMarket.TaskParams memory p = _params(1 + n % 256, 1 + r % 7, v % 4);
        if (p.replication == 1 && p.reviewers == 0) p.replication = 2;
        p.rewardPerLabel = 1 + reward % 1 ether;
        p.reviewRewardPerItem = p.reviewers == 0 ? 0 : 1 + reviewReward % 1 ether;
        uint256 budget = p.itemCount * p.replication * (p.rewardPerLabel + p.reviewers * p.reviewRewardPerItem);
        uint256 before = token.balanceOf(requester);
        uint256 id = _create(p);
        assertEq(token.balanceOf(requester), before - budget, "budget pulled");
        assertEq(market.getTask(id).escrow, budget, "escrow");
        _checkBooks(budget);
        vm.prank(requester);
        market.cancelTask(id);
        assertEq(_credited(requester), budget, "refund");
        _checkBooks(0);
    }

    /// Random labels from R annotators over n items (classes 0..4 of 3, so some out of
    /// range): the market's payouts must equal a straightforward model of the rules.
    function testFuzzSettlementMatchesModel(bytes32 seed, uint256 n, uint256 r, uint256 quorum) public {
        n = 1 + n % 80;
        r = 2 + r % 6;
        LabelMarket.TaskParams memory p = _params(n, r, 0);
        p.classCount = 3;
        p.quorumBps = 1 + quorum % 10_000;
        uint256 id = _create(p);
        bytes[] memory labels = new bytes[](r);
        for (uint256 s; s < r; ++s) {
            labels[s] = new bytes(n);
            for (uint256 i; i < n; ++i) {
                // Mostly agreeing labels, so consensus is common but not certain. Mode 1 makes
                // whole 32-item words agree; mode 2 has every seat give the same noise, skips
                // and out-of-range labels included (both exercise the agreeing-word path).
                uint256 mode = uint8(seed[0]) % 3;
                uint256 x = uint256(keccak256(abi.encode(seed, mode == 2 ? 0 : s, i)));
                labels[s][i] = bytes1(uint8(x % (mode == 1 ? 128 : 4) == 0 ? (x >> 8) % 5 : 1 + i % 3));
            }
            _joinCommit(id, annotators[s], labels[s]);
        }
        vm.warp(COMMIT + 1);
        for (uint256 s; s < r; ++s) {
            _reveal(id, annotators[s], labels[s]);
        }
        _finalize(id, labels);

        uint256 slash = STAKE_PER_ITEM * SLASH_BPS / 10_000;
        uint256 refund;
        uint256 burned;
        uint256[] memory correct = new uint256[](r);
        uint256[] memory wrong = new uint256[](r);
        for (uint256 i; i < n; ++i) {
            uint256 cons = _modelConsensus(labels, i, r, p.quorumBps);
            for (uint256 s; s < r; ++s) {
                uint8 l = uint8(labels[s][i]);
                if (l > 3 || (cons != 0 && l != 0 && l != cons)) ++wrong[s];
                else if (cons != 0 && l == cons) ++correct[s];
                else refund += REWARD;
            }
        }
        for (uint256 s; s < r; ++s) {
            assertEq(_credited(annotators[s]), correct[s] * REWARD, "reward");
            assertEq(_stake(annotators[s]), INITIAL_STAKE - wrong[s] * slash, "slash");
            burned += wrong[s] * (slash + REWARD);
        }
        assertEq(_credited(requester), refund, "refund");
        assertEq(market.totalBurned(), burned, "burned");
        _checkBooks(0);
    }

    function _modelConsensus(bytes[] memory labels, uint256 i, uint256 r, uint256 quorum)
        private
        pure
        returns (uint256)
    {
        uint256[4] memory count;
        for (uint256 s; s < r; ++s) {
            uint8 l = uint8(labels[s][i]);
            if (l >= 1 && l <= 3) ++count[l];
        }
        uint256 best;
        uint256 bestCount;
        bool tie;
        for (uint256 c = 1; c <= 3; ++c) {
            if (count[c] > bestCount) {
                (best, bestCount, tie) = (c, count[c], false);
            } else if (count[c] == bestCount && bestCount != 0) {
                tie = true;
            }
        }
        if (bestCount == 0 || tie || bestCount * 10_000 < quorum * r) return 0;
        return best;
    }

    struct Model {
        uint256 n;
        uint256 r;
        uint256 validCount;
        bool[] failed;
        bytes gold;
        uint256 goldCount;
    }

    /// Random labels, gold items and one reviewer per submission with random verdicts
    /// (often accepting everything, so that the agreeing-word path runs with reviews and
    /// gold in play): payouts must equal a straightforward model of all the rules.
    function testFuzzSettlementWithGoldAndReviewsMatchesModel(bytes32 seed, uint256 n, uint256 goldMask) public {
        Model memory m;
        m.n = 1 + n % 80;
        m.r = 3;
        LabelMarket.TaskParams memory p = _params(m.n, 3, 1);
        p.classCount = 3;
        p.quorumBps = 6000;
        // Up to 3 gold items; the gold label is the "true" label, or a lie.
        goldMask = uint256(keccak256(abi.encode(seed, goldMask)));
        uint256 gc = goldMask % 4;
        if (gc > m.n) gc = m.n;
        uint16[] memory idx = new uint16[](gc);
        bytes memory gl = new bytes(gc);
        for (uint256 j; j < gc; ++j) {
            idx[j] = uint16(j * (m.n / gc) + (goldMask >> 8) % (m.n / gc));
            gl[j] = bytes1(uint8((goldMask >> (16 + 4 * j)) % 3 == 0 ? 1 + (idx[j] + 1) % 3 : 1 + idx[j] % 3));
        }
        if (gc != 0) p = _withGold(p, idx, gl, 5000);
        uint256 id = _create(p);

        bytes[] memory labels = new bytes[](3);
        bytes[] memory verdicts = new bytes[](3);
        bool rareNoise = uint8(seed[0]) % 2 == 0;
        bool acceptAll = uint8(seed[1]) % 2 == 0;
        for (uint256 s; s < 3; ++s) {
            labels[s] = new bytes(m.n);
            verdicts[s] = new bytes(m.n);
            for (uint256 i; i < m.n; ++i) {
                uint256 x = uint256(keccak256(abi.encode(seed, s, i)));
                labels[s][i] = bytes1(uint8(x % (rareNoise ? 97 : 5) == 0 ? (x >> 8) % 5 : 1 + i % 3));
                verdicts[s][i] = bytes1(uint8(!acceptAll && (x >> 16) % 11 == 0 ? (x >> 24) % 3 : 1));
            }
            _joinCommit(id, annotators[s], labels[s]);
        }
        vm.warp(COMMIT + 1);
        for (uint256 s; s < 3; ++s) {
            _reveal(id, annotators[s], labels[s]);
            _joinCommitReview(id, s, reviewers[s], verdicts[s]);
        }
        vm.warp(REVIEW_COMMIT + 1);
        for (uint256 s; s < 3; ++s) {
            _revealReview(id, s, reviewers[s], verdicts[s]);
        }
        if (gc != 0) {
            vm.prank(requester);
            market.revealGold(id, idx, gl, GOLD_SALT);
        }
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, labels, idx, gl, verdicts);

        // The model.
        m.gold = new bytes(m.n);
        for (uint256 j; j < gc; ++j) {
            m.gold[idx[j]] = gl[j];
        }
        m.goldCount = gc;
        m.failed = new bool[](3);
        for (uint256 s; s < 3; ++s) {
            uint256 hits;
            for (uint256 j; j < gc; ++j) {
                if (labels[s][idx[j]] == gl[j]) ++hits;
            }
            m.failed[s] = gc != 0 && hits * 10_000 < 5000 * gc;
            if (!m.failed[s]) ++m.validCount;
        }
        uint256 slash = STAKE_PER_ITEM * SLASH_BPS / 10_000;
        for (uint256 s; s < 3; ++s) {
            (uint256 correct, uint256 wrong) = _modelGrade(m, labels, verdicts, s);
            assertEq(_credited(annotators[s]), correct * REWARD, "annotator reward");
            assertEq(_stake(annotators[s]), INITIAL_STAKE - wrong * slash, "annotator slash");
            uint256 spoke;
            for (uint256 i; i < m.n; ++i) {
                uint8 x = uint8(verdicts[s][i]);
                if (x == 1 || x == 2) ++spoke;
            }
            assertEq(_credited(reviewers[s]), spoke * REVIEW_REWARD, "a lone reviewer is its own majority");
        }
        _checkBooks(0);
    }

    function _modelGrade(Model memory m, bytes[] memory labels, bytes[] memory verdicts, uint256 s)
        private
        pure
        returns (uint256 correct, uint256 wrong)
    {
        if (m.failed[s]) return (0, m.n);
        for (uint256 i; i < m.n; ++i) {
            uint8 l = uint8(labels[s][i]);
            uint8 v = uint8(verdicts[s][i]);
            uint8 g = uint8(m.gold[i]);
            uint256 k = g;
            uint256 support;
            if (g == 0) {
                uint256[4] memory count;
                for (uint256 t; t < m.r; ++t) {
                    uint8 x = uint8(labels[t][i]);
                    if (!m.failed[t] && x >= 1 && x <= 3) ++count[x];
                }
                uint256 bestCount;
                bool tie;
                for (uint256 c = 1; c <= 3; ++c) {
                    if (count[c] > bestCount) {
                        (k, bestCount, tie) = (c, count[c], false);
                    } else if (count[c] == bestCount && bestCount != 0) {
                        tie = true;
                    }
                }
                if (bestCount == 0 || tie || bestCount * 10_000 < 6000 * m.validCount) k = 0;
                support = bestCount;
            }
            if (v == 2 || l > 3) {
                ++wrong;
            } else if (k == 0) {
                continue;
            } else if (l != k) {
                if (l != 0 || g != 0) ++wrong;
            } else if (v != 1 && g == 0 && support < 2) {
                continue;
            } else {
                ++correct;
            }
        }
    }

    /// Random verdicts of three reviewers on one submission: reviewers are paid or slashed
    /// against the majority, and the annotator's rejected labels are wrong.
    function testFuzzReviewVerdicts(bytes32 seed) public {
        uint256 n = 8;
        uint256 id = _create(_params(n, 1, 3));
        bytes memory l = _same(n, 1);
        _joinCommit(id, annotators[0], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        bytes[] memory v = new bytes[](3);
        for (uint256 k; k < 3; ++k) {
            v[k] = new bytes(n);
            for (uint256 i; i < n; ++i) {
                v[k][i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, k, i))) % 3));
            }
            _joinCommitReview(id, 0, reviewers[k], v[k]);
        }
        vm.warp(REVIEW_COMMIT + 1);
        for (uint256 k; k < 3; ++k) {
            _revealReview(id, 0, reviewers[k], v[k]);
        }
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(l), new uint16[](0), "", v);

        uint256 slash = STAKE_PER_ITEM * SLASH_BPS / 10_000;
        uint256 annotatorPaid;
        uint256 annotatorWrong;
        uint256[3] memory paid;
        uint256[3] memory wrong;
        for (uint256 i; i < n; ++i) {
            uint256 acc;
            uint256 rej;
            for (uint256 k; k < 3; ++k) {
                uint8 x = uint8(v[k][i]);
                if (x == 1) ++acc;
                if (x == 2) ++rej;
            }
            uint8 m = acc > rej ? 1 : rej > acc ? 2 : 0;
            if (m == 2) ++annotatorWrong;
            if (m == 1) ++annotatorPaid;
            for (uint256 k; k < 3; ++k) {
                uint8 x = uint8(v[k][i]);
                if (m == 0 || x == 0) continue;
                if (x == m) ++paid[k];
                else ++wrong[k];
            }
        }
        assertEq(_credited(annotators[0]), annotatorPaid * REWARD, "annotator reward");
        assertEq(_stake(annotators[0]), INITIAL_STAKE - annotatorWrong * slash, "annotator slash");
        for (uint256 k; k < 3; ++k) {
            assertEq(_credited(reviewers[k]), paid[k] * REVIEW_REWARD, "reviewer reward");
            assertEq(_stake(reviewers[k]), INITIAL_STAKE - wrong[k] * slash, "reviewer slash");
        }
        _checkBooks(0);
    }
}

/// @title The largest allowed task settles far under a 30M block gas limit
contract LabelMarketGasTest is MarketBase {
    /// @dev forge prints this event (the DSTest logging convention) with -vv.
    event log_named_uint(string key, uint256 val);

    function testLargestTaskFinalizeGas() public {
        uint256 n = market.MAX_ITEMS();
        uint256 r = market.MAX_REPLICATION();
        uint256 v = market.MAX_REVIEWERS();
        LabelMarket.TaskParams memory p = _params(n, r, v);
        p.stakePerItem = 0.1 ether;
        // Gold on every other item (the gold loop and the per-item path both run long);
        // seats 0-5 agree with it, seat 6 disagrees everywhere and fails gold.
        uint16[] memory idx = new uint16[](128);
        bytes memory gl = new bytes(128);
        for (uint256 j; j < 128; ++j) {
            idx[j] = uint16(j * 2);
            gl[j] = bytes1(uint8(1 + (j * 2) % 4));
        }
        p = _withGold(p, idx, gl, 8000);
        uint256 id = _create(p);

        bytes[] memory labels = new bytes[](r);
        for (uint256 s; s < r; ++s) {
            labels[s] = new bytes(n);
            for (uint256 i; i < n; ++i) {
                // Seats split 3 / 3 / 1 on odd items: no plurality there, so no fast path.
                uint256 shift = s == 6 ? 1 : (i % 2 == 1 && s >= 3 ? 2 : 0);
                labels[s][i] = bytes1(uint8(1 + (i + shift) % 4));
            }
            _joinCommit(id, annotators[s], labels[s]);
        }
        vm.warp(COMMIT + 1);
        for (uint256 s; s < r; ++s) {
            _reveal(id, annotators[s], labels[s]);
        }
        bytes[] memory verdicts = new bytes[](r * v);
        for (uint256 s; s < r; ++s) {
            for (uint256 k; k < v; ++k) {
                bytes memory x = new bytes(n);
                for (uint256 i; i < n; ++i) {
                    x[i] = bytes1(uint8(1 + (i + k) % 2));
                }
                verdicts[s * v + k] = x;
                _joinCommitReview(id, s, reviewers[k], x);
            }
        }
        vm.warp(REVIEW_COMMIT + 1);
        for (uint256 s; s < r; ++s) {
            for (uint256 k; k < v; ++k) {
                _revealReview(id, s, reviewers[k], verdicts[s * v + k]);
            }
        }
        vm.warp(REVIEW_REVEAL - 1);
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
        vm.warp(REVIEW_REVEAL + 1);

        uint256 before = gasleft();
        market.finalize(id, labels, idx, gl, verdicts);
        uint256 used = before - gasleft();
        emit log_named_uint("finalize gas, 256 items, R=7, V=3, 128 gold", used);
        // Execution only; the transaction adds 21,000 and its calldata (about 11 KB here).
        assertTrue(used < 10_000_000, "finalize of the largest task stays far under 30M");
        assertTrue(market.getTask(id).state == LabelMarketBase.TaskState.Finalized, "settled");
        _checkBooks(0);
    }

    /// The case bench/gas measures on anvil: 256 items, R = 3, V = 0.
    function testFinalizeGas256R3() public {
        uint256 n = 256;
        uint256 id = _create(_params(n, 3, 0));
        bytes[] memory labels = new bytes[](3);
        for (uint256 s; s < 3; ++s) {
            labels[s] = new bytes(n);
            for (uint256 i; i < n; ++i) {
                labels[s][i] = bytes1(uint8(1 + i % 4));
            }
            _joinCommit(id, annotators[s], labels[s]);
        }
        vm.warp(COMMIT + 1);
        for (uint256 s; s < 3; ++s) {
            _reveal(id, annotators[s], labels[s]);
        }
        vm.warp(REVIEW_REVEAL + 1);
        uint256 before = gasleft();
        market.finalize(id, labels, new uint16[](0), "", new bytes[](0));
        emit log_named_uint("finalize gas, 256 items, R=3, V=0", before - gasleft());
        assertEq(_credited(annotators[0]), n * REWARD, "paid");
    }
}
