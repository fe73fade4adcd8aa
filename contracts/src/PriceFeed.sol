// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";

/// @title An owner-updated price feed for the local network
/// @notice Implements Chainlink's AggregatorV3Interface so the app reads it exactly as it
/// reads a real feed; the local price bot calls `updateAnswer`. It holds no funds.
contract PriceFeed is AggregatorV3Interface, Ownable {
    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
    }

    uint8 public immutable override decimals;
    string private _description;
    uint80 public latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    error NoData();
    error InvalidAnswer();

    /// @param owner_ Who may post answers.
    /// @param decimals_ Decimals of the answers (Chainlink's fiat feeds use 8).
    /// @param description_ For instance "LABEL / USD".
    /// @param initialAnswer The first answer (round 1); must be positive.
    constructor(address owner_, uint8 decimals_, string memory description_, int256 initialAnswer) Ownable(owner_) {
        decimals = decimals_;
        _description = description_;
        _post(initialAnswer);
    }

    /// @notice Posts a new answer as a new round.
    function updateAnswer(int256 answer) external onlyOwner {
        _post(answer);
    }

    function description() external view override returns (string memory) {
        return _description;
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    function getRoundData(uint80 roundId) public view override returns (uint80, int256, uint256, uint256, uint80) {
        Round storage r = _rounds[roundId];
        if (r.updatedAt == 0) revert NoData();
        return (roundId, r.answer, r.startedAt, r.updatedAt, roundId);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }

    function _post(int256 answer) private {
        if (answer <= 0) revert InvalidAnswer();
        uint80 roundId = latestRound + 1;
        latestRound = roundId;
        _rounds[roundId] = Round(answer, uint64(block.timestamp), uint64(block.timestamp));
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }
}
