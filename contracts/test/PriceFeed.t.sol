// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {PriceFeed} from "../src/PriceFeed.sol";
import {AggregatorV3Interface} from "../src/interfaces/AggregatorV3Interface.sol";
import {Assertions} from "./utils/Assertions.sol";
import {vm} from "./utils/Vm.sol";

/// @title Tests of the local network's price feed (Chainlink AggregatorV3Interface)
contract PriceFeedTest is Assertions {
    PriceFeed private feed;
    address private owner = address(0x0B0B);

    function setUp() public {
        vm.warp(1_800_000_000);
        feed = new PriceFeed(owner, 8, "LABEL / USD", 5_000_000);
    }

    function testMetadataAndFirstRound() public view {
        AggregatorV3Interface a = feed;
        assertEq(a.decimals(), 8, "decimals");
        assertEq(a.description(), "LABEL / USD", "description");
        assertEq(a.version(), 4, "version");
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) = a.latestRoundData();
        assertEq(id, 1, "round");
        assertEq(uint256(answer), 5_000_000, "answer");
        assertEq(startedAt, 1_800_000_000, "startedAt");
        assertEq(updatedAt, 1_800_000_000, "updatedAt");
        assertEq(answeredIn, 1, "answeredInRound");
    }

    function testUpdateAnswerAddsRound() public {
        vm.warp(1_800_000_600);
        vm.expectEmit(true, true, false, true);
        emit PriceFeed.AnswerUpdated(7_000_000, 2, 1_800_000_600);
        vm.prank(owner);
        feed.updateAnswer(7_000_000);
        (uint80 id, int256 answer,, uint256 updatedAt,) = feed.latestRoundData();
        assertEq(id, 2, "round 2");
        assertEq(uint256(answer), 7_000_000, "new answer");
        assertEq(updatedAt, 1_800_000_600, "updatedAt");
        (, int256 old,,,) = feed.getRoundData(1);
        assertEq(uint256(old), 5_000_000, "round 1 kept");
    }

    function testOnlyOwnerUpdates() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        feed.updateAnswer(1);
    }

    function testRejectsNonPositiveAnswers() public {
        vm.expectRevert(PriceFeed.InvalidAnswer.selector);
        vm.prank(owner);
        feed.updateAnswer(0);
        vm.expectRevert(PriceFeed.InvalidAnswer.selector);
        vm.prank(owner);
        feed.updateAnswer(-1);
        vm.expectRevert(PriceFeed.InvalidAnswer.selector);
        new PriceFeed(owner, 8, "x", 0);
    }

    function testUnknownRoundReverts() public {
        vm.expectRevert(PriceFeed.NoData.selector);
        feed.getRoundData(2);
        vm.expectRevert(PriceFeed.NoData.selector);
        feed.getRoundData(0);
    }
}
