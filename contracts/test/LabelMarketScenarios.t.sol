// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelMarketBase} from "../src/LabelMarketBase.sol";
import {MarketBase} from "./utils/MarketBase.sol";
import {vm} from "./utils/Vm.sol";

/// @title Whole tasks from creation to claim, with the exact amounts each party ends with
contract LabelMarketScenariosTest is MarketBase {
    uint256 private constant N = 4;
    uint256 private constant LOCK = N * STAKE_PER_ITEM;
    uint256 private constant SLASH = STAKE_PER_ITEM * SLASH_BPS / 10_000;

    function setUp() public override {
        super.setUp();
        vm.recordLogs();
    }

    /// @dev Every token burned was announced in a `Burned` event.
    function _checkBurnEvents() private {
        assertEq(_burnedInLogs(), market.totalBurned(), "Burned events add up to totalBurned");
    }

    function _run3(bytes memory a, bytes memory b, bytes memory c) private returns (uint256 id) {
        id = _create(_params(N, 3, 0));
        _joinCommit(id, annotators[0], a);
        _joinCommit(id, annotators[1], b);
        _joinCommit(id, annotators[2], c);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], a);
        _reveal(id, annotators[1], b);
        _reveal(id, annotators[2], c);
        _finalize(id, _arr(a, b, c));
    }

    function testThreeAgreeAllPaid() public {
        bytes memory l = hex"01020304";
        uint256 id = _run3(l, l, l);
        for (uint256 i; i < 3; ++i) {
            assertEq(_credited(annotators[i]), N * REWARD, "paid every label");
            assertEq(_stake(annotators[i]), INITIAL_STAKE, "stake intact");
            assertEq(market.lockedStake(annotators[i]), 0, "unlocked");
        }
        assertEq(_credited(requester), 0, "nothing to refund");
        assertEq(market.totalBurned(), 0, "nothing burned");
        assertTrue(market.getTask(id).state == LabelMarketBase.TaskState.Finalized, "finalized");
        _checkBooks(0);

        uint256 before = token.balanceOf(annotators[0]);
        vm.prank(annotators[0]);
        market.claim();
        assertEq(token.balanceOf(annotators[0]), before + N * REWARD, "claimed");
        vm.expectRevert(LabelMarketBase.NothingToClaim.selector);
        vm.prank(annotators[0]);
        market.claim();
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testSettlementEvents() public {
        uint256 id = _create(_params(N, 2, 0));
        bytes memory good = hex"01020304";
        bytes memory bad = hex"01020303";
        _joinCommit(id, annotators[0], good);
        _joinCommit(id, annotators[1], bad);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], good);
        _reveal(id, annotators[1], bad);
        vm.warp(REVIEW_REVEAL + 1);
        // 2 of 2 agree on items 0-2; item 3 is a tie (no consensus, refunded).
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Settled(id, annotators[0], 0, type(uint256).max, 3, 0, 3 * REWARD, 0);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Settled(id, annotators[1], 1, type(uint256).max, 3, 0, 3 * REWARD, 0);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Finalized(id, 2 * REWARD, 0);
        market.finalize(id, _arr(good, bad), new uint16[](0), "", new bytes[](0));
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testRandomAnnotatorSlashedOnWrongItems() public {
        bytes memory honest = hex"01020304";
        bytes memory random = hex"01030104"; // wrong on items 1 and 2
        uint256 id = _create(_params(N, 3, 0));
        _joinCommit(id, annotators[0], honest);
        _joinCommit(id, annotators[1], random);
        _joinCommit(id, annotators[2], honest);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], honest);
        _reveal(id, annotators[1], random);
        _reveal(id, annotators[2], honest);
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Settled(id, annotators[1], 1, type(uint256).max, 2, 2, 2 * REWARD, 2 * SLASH);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Burned(id, annotators[1], LabelMarketBase.BurnReason.Slash, 2 * SLASH);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Burned(id, annotators[1], LabelMarketBase.BurnReason.RewardSlot, 2 * REWARD);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Finalized(id, 0, 2 * SLASH + 2 * REWARD);
        market.finalize(id, _arr(honest, random, honest), new uint16[](0), "", new bytes[](0));
        assertEq(_credited(annotators[0]), N * REWARD, "honest paid");
        assertEq(_credited(annotators[2]), N * REWARD, "honest paid");
        assertEq(_credited(annotators[1]), 2 * REWARD, "random paid its right labels");
        assertEq(_stake(annotators[1]), INITIAL_STAKE - 2 * SLASH, "random slashed on 2 items");
        assertEq(_credited(requester), 0, "the wrong labels' rewards are not refunded");
        assertEq(market.totalBurned(), 2 * SLASH + 2 * REWARD, "slash and reward slots burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testNoConsensusItemsRefunded() public {
        // Item 0: three different labels; item 1: one label and two skips (1/3 < quorum).
        bytes memory a = hex"01010303";
        bytes memory b = hex"02000303";
        bytes memory c = hex"03000303";
        _run3(a, b, c);
        assertEq(_credited(annotators[0]), 2 * REWARD, "paid items 2 and 3");
        assertEq(_stake(annotators[0]), INITIAL_STAKE, "no slash on items without consensus");
        assertEq(_credited(annotators[1]), 2 * REWARD, "b");
        assertEq(_credited(requester), 6 * REWARD, "items 0 and 1 refunded (3 slots each)");
        assertEq(market.totalBurned(), 0, "nothing burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testSkipIsNeutral() public {
        bytes memory l = hex"01020304";
        _run3(l, l, hex"01020300");
        assertEq(_credited(annotators[2]), 3 * REWARD, "skip not paid");
        assertEq(_stake(annotators[2]), INITIAL_STAKE, "skip not slashed");
        assertEq(_credited(requester), REWARD, "skipped slot refunded");
    }

    function testOutOfRangeLabelIsWrong() public {
        bytes memory l = hex"01020304";
        _run3(l, l, hex"01020309");
        assertEq(_credited(annotators[2]), 3 * REWARD, "three right");
        assertEq(_stake(annotators[2]), INITIAL_STAKE - SLASH, "class 9 of 4 is wrong");
    }

    function testNonRevealerSlashedWhole() public {
        uint256 id = _create(_params(N, 3, 0));
        bytes memory l = hex"01020304";
        _joinCommit(id, annotators[0], l);
        _joinCommit(id, annotators[1], l);
        _joinCommit(id, annotators[2], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _reveal(id, annotators[1], l);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Burned(id, annotators[2], LabelMarketBase.BurnReason.Slash, LOCK);
        _finalize(id, _arr(l, l, ""));
        assertEq(_stake(annotators[2]), INITIAL_STAKE - LOCK, "slashed whole");
        assertEq(market.lockedStake(annotators[2]), 0, "nothing locked");
        assertEq(_credited(annotators[2]), 0, "no reward");
        assertEq(_credited(annotators[0]), N * REWARD, "others paid");
        assertEq(_credited(requester), 0, "no refund of the non-revealer's slots");
        assertEq(market.totalBurned(), LOCK + N * REWARD, "stake and slots burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testJoinedNonCommitterSlashedWhole() public {
        uint256 id = _create(_params(N, 3, 0));
        bytes memory l = hex"01020304";
        _joinCommit(id, annotators[0], l);
        _joinCommit(id, annotators[1], l);
        _join(id, annotators[2]);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _reveal(id, annotators[1], l);
        _finalize(id, _arr(l, l, ""));
        assertEq(_stake(annotators[2]), INITIAL_STAKE - LOCK, "slashed whole");
        assertEq(market.totalBurned(), LOCK + N * REWARD, "burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testUnfilledSeatsRefunded() public {
        uint256 id = _create(_params(N, 3, 0));
        bytes memory l = hex"01020304";
        _joinCommit(id, annotators[0], l);
        _joinCommit(id, annotators[1], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _reveal(id, annotators[1], l);
        _finalize(id, _arr(l, l, ""));
        assertEq(_credited(annotators[0]), N * REWARD, "paid");
        assertEq(_credited(requester), N * REWARD, "the empty seat's slots refunded");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testLeaveBeforeCommitThenSettle() public {
        uint256 id = _create(_params(N, 2, 0));
        bytes memory l = hex"01020304";
        _join(id, annotators[0]);
        vm.prank(annotators[0]);
        market.leave(id);
        _joinCommit(id, annotators[1], l);
        _joinCommit(id, annotators[2], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[1], l);
        _reveal(id, annotators[2], l);
        _finalize(id, _arr(l, l));
        assertEq(_stake(annotators[0]), INITIAL_STAKE - LEAVE_FEE, "leave fee burned");
        assertEq(_credited(annotators[0]), 0, "nothing for the leaver");
        assertEq(_credited(annotators[1]), N * REWARD, "paid");
        assertEq(market.totalBurned(), LEAVE_FEE, "only the fee");
        _checkBooks(0);
        _checkBurnEvents();
    }

    // ------------------------------------------------------------ reviews

    function testReviewersRejectSubmissionWithOneAnnotator() public {
        uint256 id = _create(_params(N, 1, 1));
        bytes memory l = hex"01020304";
        bytes memory verdicts = hex"01020201"; // items 1 and 2 rejected
        _joinCommit(id, annotators[0], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _joinCommitReview(id, 0, reviewers[0], verdicts);
        vm.warp(REVIEW_COMMIT + 1);
        _revealReview(id, 0, reviewers[0], verdicts);
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(l), new uint16[](0), "", _arr(verdicts));
        assertEq(_credited(annotators[0]), 2 * REWARD, "accepted items paid");
        assertEq(_stake(annotators[0]), INITIAL_STAKE - 2 * SLASH, "rejected items slashed with R = 1");
        assertEq(_credited(reviewers[0]), N * REVIEW_REWARD, "the lone reviewer is its own majority");
        assertEq(_stake(reviewers[0]), INITIAL_STAKE, "reviewer intact");
        assertEq(market.totalBurned(), 2 * SLASH + 2 * REWARD, "burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testUnreviewedSingleAnnotatorIsNeutral() public {
        uint256 id = _create(_params(N, 1, 1));
        bytes memory l = hex"01020304";
        _joinCommit(id, annotators[0], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(l), new uint16[](0), "", new bytes[](1));
        assertEq(_credited(annotators[0]), 0, "nobody vouched for the labels");
        assertEq(_stake(annotators[0]), INITIAL_STAKE, "nor against them");
        assertEq(_credited(requester), N * REWARD + N * REVIEW_REWARD, "all refunded");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testReviewerAgainstMajoritySlashed() public {
        uint256 id = _create(_params(N, 1, 3));
        bytes memory l = hex"01020304";
        bytes memory good = hex"01010101";
        bytes memory contrarian = hex"02020101"; // against the majority on items 0 and 1
        _joinCommit(id, annotators[0], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _joinCommitReview(id, 0, reviewers[0], good);
        _joinCommitReview(id, 0, reviewers[1], contrarian);
        _joinCommitReview(id, 0, reviewers[2], good);
        vm.warp(REVIEW_COMMIT + 1);
        _revealReview(id, 0, reviewers[0], good);
        _revealReview(id, 0, reviewers[1], contrarian);
        _revealReview(id, 0, reviewers[2], good);
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(l), new uint16[](0), "", _arr(good, contrarian, good));
        assertEq(_credited(annotators[0]), N * REWARD, "accepted by the majority");
        assertEq(_credited(reviewers[0]), N * REVIEW_REWARD, "majority reviewer paid");
        assertEq(_credited(reviewers[1]), 2 * REVIEW_REWARD, "contrarian paid where it agreed");
        assertEq(_stake(reviewers[1]), INITIAL_STAKE - 2 * SLASH, "contrarian slashed on 2 items");
        assertEq(market.totalBurned(), 2 * SLASH + 2 * REVIEW_REWARD, "burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testUnrevealedReviewerSlashedWhole() public {
        uint256 id = _create(_params(N, 1, 2));
        bytes memory l = hex"01020304";
        bytes memory ok = hex"01010101";
        _joinCommit(id, annotators[0], l);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _joinCommitReview(id, 0, reviewers[0], ok);
        _joinCommitReview(id, 0, reviewers[1], ok);
        vm.warp(REVIEW_COMMIT + 1);
        _revealReview(id, 0, reviewers[0], ok);
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(l), new uint16[](0), "", _arr(ok, ""));
        assertEq(_stake(reviewers[1]), INITIAL_STAKE - LOCK, "slashed whole");
        assertEq(_credited(reviewers[0]), N * REVIEW_REWARD, "revealer paid");
        assertEq(_credited(annotators[0]), N * REWARD, "accepted");
        _checkBooks(0);
        _checkBurnEvents();
    }

    // ------------------------------------------------------------ gold

    function testGoldSingleAnnotatorCarefulPaidCarelessFails() public {
        uint16[] memory idx = _u16(0, 2);
        bytes memory gl = hex"0103";
        LabelMarket.TaskParams memory p = _withGold(_params(N, 1, 0), idx, gl, 10_000);
        uint256 careful = _create(p);
        uint256 careless = _create(p);
        bytes memory good = hex"01020304"; // matches gold on items 0 and 2
        bytes memory bad = hex"02020304"; // misses gold item 0
        _joinCommit(careful, annotators[0], good);
        _joinCommit(careless, annotators[1], bad);
        vm.warp(COMMIT + 1);
        _reveal(careful, annotators[0], good);
        _reveal(careless, annotators[1], bad);
        vm.warp(REVEAL + 1);
        vm.startPrank(requester);
        market.revealGold(careful, idx, gl, GOLD_SALT);
        market.revealGold(careless, idx, gl, GOLD_SALT);
        vm.stopPrank();
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(careful, _arr(good), idx, gl, new bytes[](0));
        market.finalize(careless, _arr(bad), idx, gl, new bytes[](0));
        assertEq(_credited(annotators[0]), N * REWARD, "careful: every label paid");
        assertEq(_credited(annotators[1]), 0, "careless: failed the whole submission");
        assertEq(_stake(annotators[1]), INITIAL_STAKE - N * SLASH, "every label wrong");
        assertEq(_credited(requester), 0, "no refund from the failed submission");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testGoldOverridesCollidingMajority() public {
        uint16[] memory idx = _u16(0, 1);
        bytes memory gl = hex"0102";
        uint256 id = _create(_withGold(_params(N, 3, 0), idx, gl, 5000));
        bytes memory honest = hex"01020304";
        bytes memory colluder = hex"03020304"; // wrong on gold item 0, 50% on gold: passes
        _joinCommit(id, annotators[0], honest);
        _joinCommit(id, annotators[1], colluder);
        _joinCommit(id, annotators[2], colluder);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], honest);
        _reveal(id, annotators[1], colluder);
        _reveal(id, annotators[2], colluder);
        vm.warp(REVEAL + 1);
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, _arr(honest, colluder, colluder), idx, gl, new bytes[](0));
        assertEq(_credited(annotators[0]), N * REWARD, "honest minority paid on the gold item");
        assertEq(_credited(annotators[1]), 3 * REWARD, "colluder wrong on the gold item");
        assertEq(_stake(annotators[1]), INITIAL_STAKE - SLASH, "slashed once");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testLyingGoldGainsRequesterNothing() public {
        bytes memory l = hex"01020304";
        uint16[] memory idx = _u16(0, 1);
        bytes memory truth = hex"0102";
        bytes memory lie = hex"0201";
        uint256 honestTask = _create(_withGold(_params(N, 3, 0), idx, truth, 5000));
        uint256 lyingTask = _create(_withGold(_params(N, 3, 0), idx, lie, 5000));
        for (uint256 i; i < 3; ++i) {
            _joinCommit(honestTask, annotators[i], l);
            _joinCommit(lyingTask, annotators[i + 3], l);
        }
        vm.warp(COMMIT + 1);
        for (uint256 i; i < 3; ++i) {
            _reveal(honestTask, annotators[i], l);
            _reveal(lyingTask, annotators[i + 3], l);
        }
        vm.warp(REVEAL + 1);
        vm.startPrank(requester);
        market.revealGold(honestTask, idx, truth, GOLD_SALT);
        market.revealGold(lyingTask, idx, lie, GOLD_SALT);
        vm.stopPrank();
        vm.warp(REVIEW_REVEAL + 1);

        uint256 before = _credited(requester);
        market.finalize(honestTask, _arr(l, l, l), idx, truth, new bytes[](0));
        uint256 honestRefund = _credited(requester) - before;
        uint256 burnedBefore = market.totalBurned();
        market.finalize(lyingTask, _arr(l, l, l), idx, lie, new bytes[](0));
        uint256 lyingRefund = _credited(requester) - before - honestRefund;

        assertTrue(lyingRefund <= honestRefund, "a lying requester gets no more back");
        assertEq(lyingRefund, 0, "nothing at all");
        assertEq(_credited(annotators[0]), N * REWARD, "honest task paid");
        assertEq(_credited(annotators[3]), 0, "lied-to annotators fail gold");
        // What the annotators lose is burned, every token of it.
        assertEq(market.totalBurned() - burnedBefore, 3 * N * (SLASH + REWARD), "burned");
        _checkBooks(0);
        _checkBurnEvents();
    }

    function testGoldNotRevealedSettlesWithoutGold() public {
        uint16[] memory idx = _u16(0);
        bytes memory gl = hex"04";
        uint256 id = _create(_withGold(_params(N, 3, 0), idx, gl, 10_000));
        bytes memory l = hex"01020304";
        for (uint256 i; i < 3; ++i) {
            _joinCommit(id, annotators[i], l);
        }
        vm.warp(COMMIT + 1);
        for (uint256 i; i < 3; ++i) {
            _reveal(id, annotators[i], l);
        }
        vm.warp(REVIEW_REVEAL + 1);
        // The finalizer passes the gold anyway: it is ignored, as it was never revealed.
        market.finalize(id, _arr(l, l, l), idx, gl, new bytes[](0));
        assertEq(_credited(annotators[0]), N * REWARD, "plurality consensus");
        _checkBooks(0);
        _checkBurnEvents();
    }

    // ------------------------------------------------------------ private task

    function testPrivateTaskEndToEnd() public {
        LabelMarket.TaskParams memory p = _params(N, 2, 1);
        p.keyServer = keyServer;
        uint256 id = _create(p);
        bytes memory l = hex"01020304";
        for (uint256 i; i < 2; ++i) {
            vm.prank(annotators[i]);
            market.join(id, _publicKey(annotatorKeys[i]));
            vm.prank(keyServer);
            market.grantKey(id, annotators[i], abi.encodePacked("sealed for ", annotators[i]));
            vm.prank(annotators[i]);
            market.commit(id, _commitment(id, annotators[i], l));
        }
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _reveal(id, annotators[1], l);
        vm.prank(reviewers[0]);
        market.joinReview(id, 0, _publicKey(0xC000));
        vm.expectRevert(LabelMarketBase.NotKeyServer.selector);
        vm.prank(annotators[0]);
        market.grantKey(id, reviewers[0], hex"01");
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        vm.prank(keyServer);
        market.grantKey(id, reviewers[1], hex"01");
        vm.prank(keyServer);
        market.grantKey(id, reviewers[0], hex"01");
        bytes memory verdicts = _same(N, 1);
        vm.prank(reviewers[0]);
        market.commitReview(id, 0, _reviewCommitment(id, 0, reviewers[0], verdicts));
        vm.warp(REVIEW_COMMIT + 1);
        _revealReview(id, 0, reviewers[0], verdicts);
        vm.warp(REVIEW_REVEAL + 1);
        bytes[] memory v = new bytes[](2);
        v[0] = verdicts;
        market.finalize(id, _arr(l, l), new uint16[](0), "", v);
        assertEq(_credited(annotators[0]), N * REWARD, "paid");
        assertEq(_credited(annotators[1]), N * REWARD, "paid without reviewers: consensus of two");
        assertEq(_credited(reviewers[0]), N * REVIEW_REWARD, "reviewer paid");
        assertEq(_credited(requester), N * REVIEW_REWARD, "unused review seat refunded");
        _checkBooks(0);
        _checkBurnEvents();
    }
}
